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

        /// <summary>
        /// The file's rows in input order, normalised on the caller's thread. Measured: handing rows to other threads
        /// was slower here (libphonenumber serialises internally, and rows kept alive across threads cost more GC).
        /// </summary>
        public IEnumerable<ImportItem<T>> Read(CancellationToken cancellation)
        {
            var binding = Binding;
            int columns = binding.Headers.Count;
            var sourceIndex = binding.SourceIndex;
            Func<IReadOnlyDictionary<string, string?>> raw = () =>
            {
                var values = new Dictionary<string, string?>(StringComparer.Ordinal);
                for (int i = 0; i < Math.Min(columns, _reader.FieldCount); i++) values[binding.Headers[i]] = _reader.GetString(i);
                return values;
            };
            while (_reader.Read())
            {
                cancellation.ThrowIfCancellationRequested();
                int fieldCount = _reader.FieldCount;
                var values = new string?[sourceIndex.Count];
                for (int f = 0; f < values.Length; f++)
                {
                    int i = sourceIndex[f];
                    values[f] = i < 0 ? binding.Constants[f] : i < fieldCount ? _reader.GetString(i) : null;
                }
                // raw() reads the current record: Normalize calls it before the reader moves on.
                yield return _normalizer.Normalize(binding, values, Path, _reader.LineNumber, raw);
            }
        }

        public void Dispose() => _reader.Dispose();
    }
}
