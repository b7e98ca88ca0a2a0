using System;
using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>Which source column feeds each field of a schema, decided once per input from its headers.</summary>
    public sealed class ColumnBinding
    {
        /// <summary>Separates the columns of one field in a column map's value (-ColumnMap @{ phones = 'A', 'B' }).</summary>
        public const char MapColumnSeparator = '\u001F';

        private ColumnBinding(RecordSchema schema, string[] headers, int[] sourceIndex, int[]?[] moreSources, string?[] constants, string[] ignored, IReadOnlyList<string> notes)
        {
            Schema = schema;
            Headers = headers;
            SourceIndex = sourceIndex;
            MoreSources = moreSources;
            Constants = constants;
            IgnoredHeaders = ignored;
            Notes = notes;
        }

        /// <summary>How columns whose header alone was not enough were read (a "Client ID" column, say).</summary>
        public IReadOnlyList<string> Notes { get; }

        /// <summary>The first values of a column (a file's; null for pipeline objects), for what only values settle.</summary>
        private Func<int, IReadOnlyList<string>>? _sample;
        private Normalization.DecimalConvention?[]? _decimals;
        private HashSet<string>? _said;

        /// <summary>
        /// What said once a column while rows are read (how the column's values settled an ambiguous amount or date),
        /// and whether it is a warning; the reader of the records writes and clears it.
        /// </summary>
        public List<(bool Warning, string Text)> LateNotes { get; } = new List<(bool Warning, string Text)>();

        /// <summary>Adds <paramref name="text"/> to <see cref="LateNotes"/> the first time <paramref name="key"/> is given.</summary>
        public void SayOnce(string key, bool warning, string text)
        {
            if ((_said ??= new HashSet<string>(StringComparer.Ordinal)).Add(key)) LateNotes.Add((warning, text));
        }

        /// <summary>
        /// What the field's column shows of its decimal mark in its first rows (those the ClientID check samples);
        /// nothing for pipeline objects, a constant or several columns.
        /// </summary>
        public Normalization.DecimalConvention Decimals(int field)
        {
            int column = SourceIndex[field];
            if (_sample == null || column < 0 || MoreSources[field] != null) return Normalization.DecimalConvention.None;
            _decimals ??= new Normalization.DecimalConvention?[SourceIndex.Count];
            return _decimals[field] ??= Normalization.DecimalConvention.Of(_sample(column));
        }

        private Normalization.SlashDateColumn?[]? _slashDates;

        /// <summary>The order of the field's column's d/m/y dates (04/12/2026) as its first rows settle it.</summary>
        public Normalization.SlashDateColumn SlashDates(int field)
        {
            _slashDates ??= new Normalization.SlashDateColumn?[SourceIndex.Count];
            return _slashDates[field] ??= Normalization.SlashDateColumn.Of(SampleOf(field));
        }

        /// <summary>The first values of the field's column (up to 200 rows); empty without a file.</summary>
        public IReadOnlyList<string> SampleOf(int field)
        {
            int column = SourceIndex[field];
            return _sample == null || column < 0 ? Array.Empty<string>() : _sample(column);
        }

        public RecordSchema Schema { get; }
        public IReadOnlyList<string> Headers { get; }
        /// <summary>Per schema field, the 0-based source column, or -1.</summary>
        public IReadOnlyList<int> SourceIndex { get; }
        /// <summary>
        /// Per schema field, the further columns of a list field (phones, e-mails, ClientIDs) that several columns feed,
        /// joined after <see cref="SourceIndex"/>'s (amoCRM exports six phone columns); null for most fields.
        /// </summary>
        public IReadOnlyList<int[]?> MoreSources { get; }

        /// <summary>The fields that take several columns, their values joined: identifiers come in lists.</summary>
        private static bool IsListField(FieldSpec f) => f.Name is "phones" or "emails" or "client_ids" or "phones_md5" or "emails_md5";

        /// <summary>A field's value from a row: its column's cell, or the non-empty cells of its columns joined by ','.</summary>
        public string? Value(int field, Func<int, string?> sourceValue)
        {
            int i = SourceIndex[field];
            if (i < 0) return Constants[field];
            var more = MoreSources[field];
            if (more == null) return sourceValue(i);
            var parts = new List<string>(more.Length + 1);
            AddCell(parts, sourceValue(i));
            foreach (int c in more) AddCell(parts, sourceValue(c));
            return parts.Count == 0 ? null : string.Join(",", parts);
        }

        private static void AddCell(List<string> parts, string? cell)
        {
            string? v = cell?.Trim();
            if (!string.IsNullOrEmpty(v)) parts.Add(v!);
        }

        /// <summary>Per schema field, a constant used when the field has no column (-Currency RUB).</summary>
        public IReadOnlyList<string?> Constants { get; }
        public IReadOnlyList<string> IgnoredHeaders { get; }

        /// <summary>
        /// Ignored columns whose header names a phone, an e-mail or a ClientID (amoCRM's 'Рабочий телефон' beside the
        /// phone column that was read, RetailCRM's 'additionalPhone'): identifiers that would be left out without a word.
        /// </summary>
        public IReadOnlyList<string> IgnoredIdentifierHeaders => IgnoredHeaders.Where(h => IdentifierFieldOf(h) != null).ToList();

        /// <summary>Words in a header that name an identifier, and the list field that reads it (the first match wins).</summary>
        private static readonly (string Word, string Field)[] IdentifierWords =
        {
            ("mail", "emails"), ("почт", "emails"), ("clientid", "client_ids"), ("client id", "client_ids"), ("client_id", "client_ids"),
            ("yaclient", "client_ids"), ("phone", "phones"), ("телефон", "phones"), ("mobile", "phones"), ("мобильн", "phones"),
        };

        private static string? IdentifierFieldOf(string header)
        {
            foreach (var (word, field) in IdentifierWords)
                if (header.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0) return field;
            return null;
        }

        /// <summary>
        /// A -ColumnMap that reads the ignored identifier columns too, beside the columns each field reads now
        /// (@{ phones = 'Телефон', 'additionalPhone'; emails = 'E-mail', 'Личный email' }), or null when there are none.
        /// </summary>
        public string? SuggestedColumnMap()
        {
            var byField = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var h in IgnoredIdentifierHeaders)
            {
                string field = IdentifierFieldOf(h)!;
                int f = Schema.Resolve(field);
                if (f < 0) continue;
                if (!byField.TryGetValue(field, out var columns))
                {
                    byField[field] = columns = new List<string>();
                    if (SourceIndex[f] >= 0) columns.Add(Headers[SourceIndex[f]]);
                    foreach (int c in MoreSources[f] ?? Array.Empty<int>()) columns.Add(Headers[c]);
                }
                columns.Add(h);
            }
            return byField.Count == 0 ? null
                : "@{ " + string.Join("; ", byField.Select(p => p.Key + " = " + string.Join(", ", p.Value.Select(c => "'" + c.Replace("'", "''") + "'")))) + " }";
        }

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
            var more = new int[]?[fields.Count];
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
                    var named = pair.Value.Split(MapColumnSeparator);
                    if (named.Length > 1 && !IsListField(fields[field]))
                    {
                        problems.Add($"the column map maps {fields[field].Name} to {named.Length} columns; only phones, emails and client_ids (and their MD5 forms) take several");
                        continue;
                    }
                    var columns = new List<int>();
                    foreach (var name in named)
                    {
                        var matches = Enumerable.Range(0, headers.Count).Where(i => headers[i] == name).ToList();
                        if (matches.Count == 0)
                            matches = Enumerable.Range(0, headers.Count).Where(i => keys[i] == HeaderKey.Of(name)).ToList();
                        if (matches.Count != 1)
                        {
                            problems.Add(matches.Count == 0
                                ? $"the column map maps {fields[field].Name} to '{name}', but there is no such column"
                                : $"the column map maps {fields[field].Name} to '{name}', which matches {matches.Count} columns");
                            continue;
                        }
                        columns.Add(matches[0]);
                    }
                    if (columns.Count == 0) continue;
                    index[field] = columns[0];
                    if (columns.Count > 1) more[field] = columns.Skip(1).ToArray();
                    foreach (int c in columns) taken.Add(c);
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
                else if (candidates.Count > 1 && IsListField(fields[f]))
                {
                    // Several phone (or e-mail, ClientID) columns are several identifiers of one record: all are read.
                    index[f] = candidates[0];
                    more[f] = candidates.Skip(1).ToArray();
                    foreach (int c in candidates) taken.Add(c);
                    notes.Add($"{fields[f].Name} read from the columns {string.Join(", ", candidates.Select(i => "'" + headers[i] + "'"))}, their values joined");
                }
                else if (candidates.Count > 1)
                {
                    // Not picked for the user (a date beside a timestamp may be the export's date, not the event's): each
                    // column with its first values, and the maps that read one.
                    problems.Add($"{fields[f].Name} is ambiguous: columns {string.Join(", ", candidates.Select(i => "'" + headers[i] + "'" + FirstValues(sampleColumn, i)))} all mean it; " +
                        $"map {fields[f].Name} to the one meant ({string.Join(" or ", candidates.Select(i => fields[f].Name + " = '" + headers[i].Replace("'", "''") + "'"))})");
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
            return new ColumnBinding(schema, headers.ToArray(), index, more, consts, ignored, notes) { _sample = sampleColumn };
        }

        /// <summary>" (such as 2026-12-01, 2026-12-02)": a column's first non-empty values, for a message; "" without a file.</summary>
        private static string FirstValues(Func<int, IReadOnlyList<string>>? sampleColumn, int column)
        {
            if (sampleColumn == null) return "";
            var values = sampleColumn(column).Where(v => !string.IsNullOrWhiteSpace(v)).Take(2).Select(v => ValueText.Quoted(v.Trim())).ToList();
            return values.Count == 0 ? " (empty)" : $" (such as {string.Join(", ", values)})";
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
            for (int f = 0; f < values.Length; f++) values[f] = Value(f, sourceValue);
            return values;
        }
    }
}
