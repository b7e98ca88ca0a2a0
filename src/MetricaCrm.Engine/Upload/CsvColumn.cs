using System;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// One documented column of an upload's CSV file: its header, and the record's value in it, written with date-times
    /// in the counter's zone. Null (or empty) means the record does not fill it: the record then goes into a file
    /// without that column, never into an empty cell (see <see cref="FilledColumnsCsvWriter{TRecord}"/>).
    /// </summary>
    public sealed class CsvColumn<TRecord> where TRecord : class
    {
        public CsvColumn(string header, Func<TRecord, TimeZoneInfo, string?> value, bool list = false)
        {
            Header = header;
            Value = value;
            List = list;
        }

        public CsvColumn(string header, Func<TRecord, string?> value) : this(header, (r, _) => value(r)) { }

        public string Header { get; }
        public Func<TRecord, TimeZoneInfo, string?> Value { get; }

        /// <summary>A multi-value cell: comma-joined without spaces and always quoted, as the docs show ("79876543210,79991234567").</summary>
        public bool List { get; }

        /// <summary>A list column's cell: its values comma-joined, or null when it has none.</summary>
        public static string? Joined(string[] values) => values.Length == 0 ? null : string.Join(",", values);
    }
}
