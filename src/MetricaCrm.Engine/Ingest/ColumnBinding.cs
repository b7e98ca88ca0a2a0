using System;
using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>Which source column feeds each field of a schema, decided once per input from its headers.</summary>
    public sealed class ColumnBinding
    {
        private ColumnBinding(RecordSchema schema, string[] headers, int[] sourceIndex, string?[] constants, string[] ignored, IReadOnlyList<string> notes)
        {
            Schema = schema;
            Headers = headers;
            SourceIndex = sourceIndex;
            Constants = constants;
            IgnoredHeaders = ignored;
            Notes = notes;
        }

        /// <summary>How columns whose header alone was not enough were read (a "Client ID" column, say).</summary>
        public IReadOnlyList<string> Notes { get; }

        public RecordSchema Schema { get; }
        public IReadOnlyList<string> Headers { get; }
        /// <summary>Per schema field, the 0-based source column, or -1.</summary>
        public IReadOnlyList<int> SourceIndex { get; }
        /// <summary>Per schema field, a constant used when the field has no column (-Currency RUB).</summary>
        public IReadOnlyList<string?> Constants { get; }
        public IReadOnlyList<string> IgnoredHeaders { get; }

        /// <summary>The name a user sees for a field: its source header, or "(constant)".</summary>
        public string ColumnName(int field) =>
            SourceIndex[field] >= 0 ? Headers[SourceIndex[field]] : Schema.Fields[field].Name;

        /// <summary>
        /// Binds headers to fields: explicit <paramref name="columnMap"/> first, then Metrica names and synonyms.
        /// Missing required or ambiguous columns stop the whole input here, before any row is emitted.
        /// </summary>
        public static ColumnBinding Create(RecordSchema schema, IReadOnlyList<string> headers,
            IDictionary<string, string>? columnMap = null, IDictionary<string, string?>? constants = null, string source = "input",
            Func<int, IReadOnlyList<string>>? sampleColumn = null)
        {
            var fields = schema.Fields;
            var index = Enumerable.Repeat(-1, fields.Count).ToArray();
            var consts = new string?[fields.Count];
            var keys = headers.Select(HeaderKey.Of).ToArray();
            var taken = new HashSet<int>();
            var problems = new List<string>();

            if (columnMap != null)
            {
                foreach (var pair in columnMap)
                {
                    int field = schema.Resolve(pair.Key);
                    if (field < 0)
                    {
                        problems.Add($"the column map names '{pair.Key}', which is not a {schema.Entity} field (fields: {string.Join(", ", fields.Select(f => f.Name))})");
                        continue;
                    }
                    var matches = Enumerable.Range(0, headers.Count).Where(i => headers[i] == pair.Value).ToList();
                    if (matches.Count == 0)
                        matches = Enumerable.Range(0, headers.Count).Where(i => keys[i] == HeaderKey.Of(pair.Value)).ToList();
                    if (matches.Count != 1)
                    {
                        problems.Add(matches.Count == 0
                            ? $"the column map maps {fields[field].Name} to '{pair.Value}', but there is no such column"
                            : $"the column map maps {fields[field].Name} to '{pair.Value}', which matches {matches.Count} columns");
                        continue;
                    }
                    index[field] = matches[0];
                    taken.Add(matches[0]);
                }
            }

            var notes = new List<string>();
            if (sampleColumn != null) BindClientIdColumns(schema, headers, keys, index, taken, sampleColumn, notes);

            for (int f = 0; f < fields.Count; f++)
            {
                if (index[f] >= 0) continue;
                var candidates = Enumerable.Range(0, headers.Count)
                    .Where(i => !taken.Contains(i) && fields[f].Synonyms.Contains(keys[i])).ToList();
                // A header spelled exactly as the Metrica name wins over synonyms (id beats "Номер").
                var exact = candidates.Where(i => keys[i] == HeaderKey.Of(fields[f].Name)).ToList();
                if (exact.Count == 1) candidates = exact;
                if (candidates.Count == 1)
                {
                    index[f] = candidates[0];
                    taken.Add(candidates[0]);
                }
                else if (candidates.Count > 1)
                {
                    problems.Add($"{fields[f].Name} is ambiguous: columns {string.Join(", ", candidates.Select(i => "'" + headers[i] + "'"))} all mean it; map {fields[f].Name} to one of them");
                }
            }

            if (constants != null)
            {
                foreach (var pair in constants)
                {
                    int field = schema.Resolve(pair.Key);
                    if (field < 0 || pair.Value == null) continue;
                    if (index[field] < 0) consts[field] = pair.Value;
                }
            }

            for (int f = 0; f < fields.Count; f++)
                if (fields[f].Required && index[f] < 0 && consts[f] == null)
                    problems.Add($"required column {fields[f].Name} is missing");

            bool hasIdentifier = schema.IdentifierFields.Count == 0 || schema.IdentifierFields.Any(n => schema.IndexOf(n) >= 0 && index[schema.IndexOf(n)] >= 0);
            if (!hasIdentifier)
                problems.Add($"no identifier column: Metrica needs at least one of {string.Join(", ", schema.IdentifierFields.Select(f => f.Name))}");

            if (problems.Count > 0)
            {
                string found = headers.Count == 0 ? "(none)" : string.Join(", ", headers.Select(h => "'" + h + "'"));
                throw new CrmInputException(problems.Any(p => p.Contains("ambiguous")) ? "AmbiguousColumn" : "MissingColumn",
                    $"{source}: cannot read {schema.Entity}s: {string.Join("; ", problems)}. Headers found: {found}.");
            }

            var ignored = Enumerable.Range(0, headers.Count).Where(i => !taken.Contains(i)).Select(i => headers[i]).ToArray();
            return new ColumnBinding(schema, headers.ToArray(), index, consts, ignored, notes);
        }

        /// <summary>
        /// CRM exports call their own client id "Client ID" or "ID клиента", while a Metrica ClientID is a visitor id of
        /// 16-20 digits. Such a column is read as Metrica ClientIDs only when every sampled value looks like one;
        /// otherwise as the CRM's client id. Empty samples leave it to the header.
        /// </summary>
        private static void BindClientIdColumns(RecordSchema schema, IReadOnlyList<string> headers, string[] keys, int[] index,
            HashSet<int> taken, Func<int, IReadOnlyList<string>> sampleColumn, List<string> notes)
        {
            int clientIds = schema.IndexOf(CrmFields.ClientIds), crmId = schema.IndexOf(CrmFields.ClientUniqId);
            if (clientIds < 0 || crmId < 0) return;
            for (int i = 0; i < headers.Count; i++)
            {
                if (taken.Contains(i) || !CrmFields.AmbiguousClientHeaders.Contains(keys[i])) continue;
                var values = sampleColumn(i).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).ToList();
                if (values.Count == 0) continue;
                bool metrica = values.All(LooksLikeMetricaClientId);
                int field = metrica ? clientIds : crmId;
                if (index[field] >= 0) continue;
                index[field] = i;
                taken.Add(i);
                string examples = string.Join(", ", values.Take(3));
                notes.Add(metrica
                    ? $"column '{headers[i]}' read as Metrica ClientIDs (client_ids): its values ({examples}) are 16-20 digit visitor ids"
                    : $"column '{headers[i]}' read as the CRM's client id (client_uniq_id): its values ({examples}) are not Metrica ClientIDs");
            }
        }

        private static bool LooksLikeMetricaClientId(string value)
        {
            foreach (var part in Normalization.MultiValue.Split(value))
            {
                // A ClientID that Excel turned into 1.33591E+17 is still one (reading it then reports the lost digits).
                if (System.Text.RegularExpressions.Regex.IsMatch(part, @"^\d(\.\d+)?[eE]\+?\d+$")) continue;
                if (part.Length < 16 || part.Length > 20) return false;
                foreach (char c in part) if (c < '0' || c > '9') return false;
            }
            return true;
        }

        /// <summary>Picks the field values of one source row (indexed by source column) in schema order.</summary>
        public string?[] Project(Func<int, string?> sourceValue)
        {
            var values = new string?[SourceIndex.Count];
            for (int f = 0; f < values.Length; f++)
            {
                int i = SourceIndex[f];
                values[f] = i >= 0 ? sourceValue(i) : Constants[f];
            }
            return values;
        }
    }
}
