using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using CsvHelper;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>Options for reading a CRM export file.</summary>
    public sealed class CsvFileOptions
    {
        /// <summary>Null: detect comma, semicolon or tab from the content (and Excel's "sep=" line).</summary>
        public char? Delimiter { get; set; }
        /// <summary>Null: detect (BOM, UTF-8, Windows-1251).</summary>
        public Encoding? Encoding { get; set; }
    }

    /// <summary>
    /// Streams one CSV file through a normaliser, row by row, with the line where each record starts.
    /// The header is bound before any row is read, so a missing or ambiguous column stops the file up front.
    /// </summary>
    public sealed class CsvRecordFile<T> : IDisposable where T : class
    {
        private readonly CsvReader _reader;
        private readonly RecordNormalizer<T> _normalizer;

        public CsvRecordFile(string path, RecordNormalizer<T> normalizer, CsvFileOptions? options = null,
            IDictionary<string, string>? columnMap = null, IDictionary<string, string?>? constants = null)
        {
            options ??= new CsvFileOptions();
            Path = path;
            _normalizer = normalizer;
            Encoding = options.Encoding ?? EncodingDetector.Detect(path);
            var readerOptions = CsvReaderOptions.Default with
            {
                Separator = options.Delimiter,
                DetectSeparatorHint = true,
                TrackLineNumbers = true,
                Encoding = Encoding,
                SkipEmptyLines = true,
            };
            _reader = CsvReader.FromFile(path, readerOptions);
            try
            {
                var headers = new List<string>();
                foreach (var h in _reader.Headers) headers.Add(h);
                Binding = ColumnBinding.Create(normalizer.Schema, headers, columnMap, constants, path);
                FileLength = new System.IO.FileInfo(path).Length;
            }
            catch
            {
                _reader.Dispose();
                throw;
            }
        }

        public string Path { get; }
        public Encoding Encoding { get; }
        public ColumnBinding Binding { get; }
        public char Delimiter => _reader.Separator;
        public long FileLength { get; }
        /// <summary>Bytes read so far (of the UTF-8 form of the input), for progress.</summary>
        public long Position => _reader.ByteOffset;

        public IEnumerable<ImportItem<T>> Read(CancellationToken cancellation)
        {
            var binding = Binding;
            int columns = binding.Headers.Count;
            while (_reader.Read())
            {
                cancellation.ThrowIfCancellationRequested();
                long line = _reader.LineNumber;
                var values = binding.Project(i => i < _reader.FieldCount ? _reader.GetString(i) : null);
                yield return _normalizer.Normalize(binding, values, Path, line, () =>
                {
                    var raw = new Dictionary<string, string?>(StringComparer.Ordinal);
                    for (int i = 0; i < Math.Min(columns, _reader.FieldCount); i++) raw[binding.Headers[i]] = _reader.GetString(i);
                    return raw;
                });
            }
        }

        public void Dispose() => _reader.Dispose();
    }
}
