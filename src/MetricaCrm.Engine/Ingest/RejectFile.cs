using System;
using System.Collections.Generic;
using System.Linq;
using CsvHelper;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>
    /// Rejected rows with their reasons, as a CSV that is safe to open in Excel: UTF-8 with BOM (so Excel reads
    /// Cyrillic), and cells that start like a formula neutralised. Columns: the reason columns, then the row's own.
    /// </summary>
    public sealed class RejectFile : IDisposable
    {
        private static readonly string[] ReasonColumns = { "_source", "_line", "_rule", "_column", "_value", "_expected" };
        private readonly CsvWriter _writer;
        private List<string>? _columns;

        public RejectFile(string path)
        {
            Path = path;
            _writer = CsvWriter.ToFile(path, CsvWriterOptions.Default with
            {
                WriteByteOrderMark = true,
                Injection = CsvInjection.Escape,
            });
            Storage.PrivateFiles.RestrictFile(path);
        }

        public string Path { get; }
        public long Count { get; private set; }

        public void Write(RowRejection rejection)
        {
            if (_columns == null)
            {
                _columns = rejection.RawValues.Keys.ToList();
                _writer.WriteHeader(ReasonColumns.Concat(_columns).ToArray());
            }
            var first = rejection.Faults[0];
            var fields = new List<string?>
            {
                rejection.Source, rejection.Line.ToString(System.Globalization.CultureInfo.InvariantCulture),
                string.Join("; ", rejection.Faults.Select(f => f.Rule).Distinct()),
                string.Join("; ", rejection.Faults.Select(f => f.Column)),
                // Shortened: the row's own column next to it holds the value (a cut one cut there too).
                string.Join("; ", rejection.Faults.Select(f => ValueText.Cell(f.Value, f.ValueLength))),
                string.Join("; ", rejection.Faults.Select(f => f.Expected)),
            };
            foreach (var c in _columns) fields.Add(rejection.RawValues.TryGetValue(c, out var v) ? v : null);
            _writer.WriteRecord(fields.ToArray());
            Count++;
        }

        public void Dispose() => _writer.Dispose();
    }
}
