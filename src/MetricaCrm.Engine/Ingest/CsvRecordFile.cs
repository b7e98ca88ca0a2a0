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
        // Malformed records the reader reported, by record number (header = 1); the reader may report them ahead.
        private readonly Dictionary<long, CsvMalformedRecord> _malformed = new Dictionary<long, CsvMalformedRecord>();

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
                // Statuses, currencies and the like repeat: one string each instead of one per row (columns of unique
                // values switch pooling off by themselves).
                PoolStrings = true,
                OnMalformedRecord = record => _malformed[record.RecordNumber] = record,
            };
            _reader = CsvReader.FromFile(path, readerOptions);
            try
            {
                var headers = new List<string>();
                foreach (var h in _reader.Headers) headers.Add(h);
                Binding = ColumnBinding.Create(normalizer.Schema, headers, columnMap, constants, path, column => Sample(path, readerOptions, column));
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
        /// The file's rows in input order, normalised on the enumerating thread. Measured on two cores: handing rows to
        /// the pipeline from a reading thread (batches of 512, four ahead) cost 30% more processor time than this, as
        /// records queued between threads outlive the youngest GC generation (90 gen1 collections per million rows
        /// against 2); CsvHelper's ParallelEnumerate over two or three normalising threads was slower still (its
        /// batches are larger: 30 gen2 collections). A record now lives only while the pipeline passes it on, and a
        /// second core stays free for the rest of the pipeline (the upload, the journal, Metrica's sandbox).
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
            // One array for every row: the normaliser reads it during Normalize and keeps none of it.
            var values = new string?[sourceIndex.Count];
            while (ReadNext())
            {
                cancellation.ThrowIfCancellationRequested();
                int fieldCount = _reader.FieldCount;
                long line = _reader.LineNumber;
                var broken = Malformed(fieldCount, columns);
                if (broken != null)
                {
                    yield return new ImportItem<T>(null, new RowRejection(Path, line, new[] { broken }, raw()), null);
                    continue;
                }
                for (int f = 0; f < values.Length; f++)
                {
                    int i = sourceIndex[f];
                    values[f] = i < 0 ? binding.Constants[f] : i < fieldCount ? _reader.GetString(i) : null;
                }
                // raw() reads the current record: Normalize calls it before the reader moves on.
                yield return _normalizer.Normalize(binding, values, Path, line, raw);
            }
        }

        /// <summary>The first values of one column, read by a reader of its own so the main one stays at the first row.</summary>
        private static IReadOnlyList<string> Sample(string path, CsvReaderOptions options, int column)
        {
            var values = new List<string>();
            using var reader = CsvReader.FromFile(path, options with { OnMalformedRecord = null });
            while (values.Count < SampleRows && reader.Read())
                if (column < reader.FieldCount) values.Add(reader.GetString(column));
            return values;
        }

        private const int SampleRows = 200;

        /// <summary>Advances the reader; the reader's own exceptions become ours, so callers need not know CsvHelper.</summary>
        private bool ReadNext()
        {
            try
            {
                return _reader.Read();
            }
            catch (CsvFormatException ex)
            {
                throw new CrmInputException("MalformedCsv", $"{Path}, line {ex.LineNumber}: {ex.Message}", ex);
            }
        }

        /// <summary>
        /// A row whose shape cannot be trusted: a different number of fields than the header (an unquoted delimiter
        /// inside a value shifts every column after it), or broken quoting. Such a row is rejected, never guessed at.
        /// A quote inside an unquoted value (Ivan "Horns" LLC) is read as text, as it is in Excel.
        /// </summary>
        private RowFault? Malformed(int fieldCount, int columns)
        {
            long recordNumber = _reader.RowNumber + 1; // the reader's record numbers count the header
            if (_malformed.TryGetValue(recordNumber, out var m))
            {
                _malformed.Remove(recordNumber);
                if (m.Reason == CsvMalformedReason.UnterminatedQuote)
                    return new RowFault("MalformedCsv", "(row)", Truncate(m.RawRecord),
                        "a closing quote: this quote is never closed, so the rest of the file was read as one value and nothing after this line was imported");
                if (m.Reason == CsvMalformedReason.TextAfterClosingQuote)
                    return new RowFault("MalformedCsv", "(row)", Truncate(m.RawRecord), "a delimiter right after a closing quote (text after a quoted value)");
            }
            if (fieldCount != columns)
                return new RowFault("FieldCountMismatch", "(row)", Truncate(System.Text.Encoding.UTF8.GetString(_reader.RawRecord.ToArray())),
                    $"{columns} fields as in the header, not {fieldCount}: an unquoted delimiter inside a value shifts the columns after it");
            return null;
        }

        private static string Truncate(string s) => s.Length <= 200 ? s : s.Substring(0, 200) + "...";

        public void Dispose() => _reader.Dispose();
    }
}
