using System;
using System.Linq;
using CsvHelper;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// A CSV batch file whose header is exactly the columns its first record fills, so that no cell is ever empty: under
    /// UPDATE Metrica keeps a field the upload leaves out (modes.md), but whether it reads an empty cell as "clear this
    /// value" is unconfirmed, and a cleared value cannot be put back. Only records that fill the same columns (the same
    /// <see cref="CsvLayout{TRecord}.KeyOf"/>) are written to it; <see cref="BatchParts{TRecord}"/> keeps one file per
    /// key within a batch, so records that fill other columns go into another file of the same batch, not a new batch.
    /// </summary>
    public sealed class FilledColumnsCsvWriter<TRecord> : CsvBatchWriter<TRecord> where TRecord : class
    {
        private readonly CsvLayout<TRecord> _layout;
        private readonly TimeZoneInfo _zone;
        private readonly CsvColumn<TRecord>[] _columns;
        private readonly string[] _attributes;

        public FilledColumnsCsvWriter(string path, CsvLayout<TRecord> layout, TimeZoneInfo counterZone, TRecord first)
            : this(path, layout, counterZone, layout.FilledBy(first, counterZone)) { }

        private FilledColumnsCsvWriter(string path, CsvLayout<TRecord> layout, TimeZoneInfo zone, (CsvColumn<TRecord>[] Columns, string[] Attributes) filled)
            : base(path, filled.Columns.Select(c => c.Header).Concat(filled.Attributes).ToArray())
        {
            _layout = layout;
            _zone = zone;
            (_columns, _attributes) = filled;
        }

        /// <exception cref="InvalidOperationException">The record leaves a column of this file empty: it belongs in another file.</exception>
        protected override void WriteRecord(TRecord record)
        {
            foreach (var column in _columns)
            {
                var value = column.Value(record, _zone);
                if (!CsvLayout<TRecord>.IsFilled(value)) throw Unfilled(column.Header);
                if (column.List) Csv.WriteField(value!, CsvQuoting.Always);
                else Csv.WriteField(value!);
            }
            foreach (var name in _attributes)
            {
                var value = _layout.Attribute(record, name);
                if (!CsvLayout<TRecord>.IsFilled(value)) throw Unfilled(name);
                Csv.WriteField(value!);
            }
            Csv.EndRecord();
        }

        private InvalidOperationException Unfilled(string column) =>
            new InvalidOperationException($"A record without a value for {column} was given to {Name}, whose rows all fill it: it would have sent an empty cell.");

        private string Name => System.IO.Path.GetFileName(Path);
    }
}
