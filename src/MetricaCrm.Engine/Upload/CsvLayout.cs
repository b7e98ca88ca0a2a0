using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// The columns an upload's CSV file may have: the documented ones in their documented order, then (detailed uploads)
    /// the record's custom attributes by name. Which of them a record fills is its column key: records with the same key
    /// share a file whose header is exactly those columns.
    /// </summary>
    public sealed class CsvLayout<TRecord> where TRecord : class
    {
        private readonly Func<TRecord, Dictionary<string, string>>? _attributes;

        public CsvLayout(IReadOnlyList<CsvColumn<TRecord>> columns, Func<TRecord, Dictionary<string, string>>? attributes = null)
        {
            Columns = columns;
            _attributes = attributes;
        }

        public IReadOnlyList<CsvColumn<TRecord>> Columns { get; }

        public static bool IsFilled(string? value) => !string.IsNullOrEmpty(value);

        /// <summary>The documented columns the record fills, then its attributes that have a value, in name order.</summary>
        public (CsvColumn<TRecord>[] Columns, string[] Attributes) FilledBy(TRecord record, TimeZoneInfo zone) =>
            (Columns.Where(c => IsFilled(c.Value(record, zone))).ToArray(), AttributesOf(record));

        /// <summary>Which columns the record fills, as a key: '1' or '0' per documented column, then '|' and each attribute name.</summary>
        public string KeyOf(TRecord record)
        {
            var key = new StringBuilder(Columns.Count + 16);
            foreach (var column in Columns) key.Append(IsFilled(column.Value(record, TimeZoneInfo.Utc)) ? '1' : '0');
            foreach (var name in AttributesOf(record)) key.Append('|').Append(name);
            return key.ToString();
        }

        public string? Attribute(TRecord record, string name) =>
            _attributes != null && _attributes(record).TryGetValue(name, out var value) ? value : null;

        private string[] AttributesOf(TRecord record) =>
            _attributes == null ? Array.Empty<string>()
            : _attributes(record).Where(a => IsFilled(a.Value)).Select(a => a.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray();
    }
}
