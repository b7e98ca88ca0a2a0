using System;
using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>Which source column feeds each field of a schema, decided once per input from its headers.</summary>
    public sealed class ColumnBinding
    {
        private ColumnBinding(RecordSchema schema, string[] headers, int[] sourceIndex, string?[] constants, string[] ignored)
        {
            Schema = schema;
            Headers = headers;
            SourceIndex = sourceIndex;
            Constants = constants;
            IgnoredHeaders = ignored;
        }

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
            IDictionary<string, string>? columnMap = null, IDictionary<string, string?>? constants = null, string source = "input")
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

            bool hasIdentifier = schema.IdentifierFields.Any(n => index[schema.IndexOf(n)] >= 0);
            if (!hasIdentifier)
                problems.Add($"no identifier column: Metrica needs at least one of {string.Join(", ", schema.IdentifierFields)}");

            if (problems.Count > 0)
            {
                string found = headers.Count == 0 ? "(none)" : string.Join(", ", headers.Select(h => "'" + h + "'"));
                throw new CrmInputException(problems.Any(p => p.Contains("ambiguous")) ? "AmbiguousColumn" : "MissingColumn",
                    $"{source}: cannot read {schema.Entity}s: {string.Join("; ", problems)}. Headers found: {found}.");
            }

            var ignored = Enumerable.Range(0, headers.Count).Where(i => !taken.Contains(i)).Select(i => headers[i]).ToArray();
            return new ColumnBinding(schema, headers.ToArray(), index, consts, ignored);
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
