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
        /// <summary>How a quote inside a quoted value is written: doubled (RFC 4180, the default) or after a backslash.</summary>
        public QuoteEscape QuoteEscape { get; set; }
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
        private readonly CellLimitStream? _limits;
        private readonly QuoteEscape _quoteEscape;
        // Line breaks that cuts dropped before the current record: the file's line is the reader's plus these.
        private long _lineShift;

        public CsvRecordFile(string path, RecordNormalizer<T> normalizer, CsvFileOptions? options = null,
            IDictionary<string, string>? columnMap = null, IDictionary<string, string?>? constants = null)
        {
            options ??= new CsvFileOptions();
            Path = path;
            _normalizer = normalizer;
            Encoding = options.Encoding ?? EncodingDetector.Detect(path);
            _quoteEscape = options.QuoteEscape;
            if (_quoteEscape == QuoteEscape.Backslash && !BackslashQuoteStream.Supports(Encoding))
                throw new CrmInputException("UnsupportedQuoteEscape", $"{path}: quotes escaped with a backslash are read in UTF-8 and single-byte encodings (windows-1251...), not in {Encoding.WebName}.");
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
                // Behind CellLimitStream no record comes near this; it bounds the reader's buffer where that stream
                // cannot look (an encoding it does not know) and while the separator is detected.
                MaxRecordSize = MaxRecordBytes,
                OnMalformedRecord = record => _malformed[record.RecordNumber] = record,
            };
            char separator = options.Delimiter ?? DetectSeparator(path, readerOptions);
            _reader = Open(path, readerOptions, Encoding, separator, _quoteEscape, out _limits);
            try
            {
                var headers = new List<string>();
                foreach (var h in ReadHeaders()) headers.Add(h);
                Binding = ColumnBinding.Create(normalizer.Schema, headers, columnMap, constants, path,
                    column => Sample(path, readerOptions, Encoding, separator, _quoteEscape, column));
                if (_quoteEscape == QuoteEscape.Doubled) RefuseBackslashQuotes(path, readerOptions, Encoding, separator, headers);
                FileLength = new System.IO.FileInfo(path).Length;
            }
            catch
            {
                _reader.Dispose();
                throw;
            }
        }

        /// <summary>The UTF-8 bytes of a record the reader may buffer: every cell and record bound of CellLimitStream fits.</summary>
        private const int MaxRecordBytes = 8 * 1024 * 1024;

        /// <summary>A reader over the file behind a <see cref="CellLimitStream"/> (when the encoding allows one).</summary>
        private static CsvReader Open(string path, CsvReaderOptions options, Encoding encoding, char separator, QuoteEscape quoteEscape, out CellLimitStream? limits)
        {
            System.IO.Stream file = new System.IO.FileStream(path, System.IO.FileMode.Open, System.IO.FileAccess.Read, System.IO.FileShare.ReadWrite,
                1, System.IO.FileOptions.SequentialScan);
            if (quoteEscape == QuoteEscape.Backslash) file = new BackslashQuoteStream(file, separator);
            limits = CellLimitStream.Supports(encoding) ? new CellLimitStream(file, encoding, separator) : null;
            return CsvReader.Create((System.IO.Stream?)limits ?? file, options, leaveOpen: false);
        }

        /// <summary>The reader's separator for the file, from a reader of its own (its buffer bounded by MaxRecordSize).</summary>
        private static char DetectSeparator(string path, CsvReaderOptions options)
        {
            using var probe = CsvReader.FromFile(path, options with { OnMalformedRecord = null });
            try
            {
                return probe.Separator;
            }
            catch (CsvFormatException ex)
            {
                throw new CrmInputException("MalformedCsv", $"{path}, line {ex.LineNumber}: {ex.Message}", ex);
            }
        }

        /// <summary>The header; a header cell over the cell bound stops the file (no column can be bound by it).</summary>
        private IReadOnlyList<string> ReadHeaders()
        {
            IReadOnlyList<string> headers;
            try
            {
                headers = _reader.Headers;
            }
            catch (CsvFormatException ex)
            {
                throw new CrmInputException("MalformedCsv", $"{Path}, line {ex.LineNumber}: {ex.Message}", ex);
            }
            long headerLine = _reader.LineNumber;
            if (_limits != null && _limits.TryTakeCut(headerLine, out var cut))
            {
                string what = cut.WholeRecord
                    ? $"the header line is {ValueText.Count(cut.Characters)} characters long; a line may hold at most {ValueText.Count(CellLimitStream.MaxRecordCharacters)}"
                    : $"header column {cut.Field + 1} ({ValueText.Quoted(cut.Field < headers.Count ? headers[cut.Field] : "", cut.Characters)}) is longer than a cell may be ({ValueText.Count(CellLimitStream.MaxCellCharacters)} characters)";
                throw new CrmInputException("ValueTooLong", $"{Path}, line {cut.Line}: {what}: this is not a CSV header. Check that the file is the CRM's CSV export and that its quotes are closed.");
            }
            return headers;
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
            var moreSources = binding.MoreSources;
            Func<int, string?> cell = i => i < _reader.FieldCount ? _reader.GetString(i) : null;
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
                long emitted = _reader.LineNumber;
                var cuts = _limits != null && _limits.HasCuts ? TakeCuts(emitted) : null;
                long line = emitted + _lineShift;
                if (cuts != null)
                {
                    foreach (var cut in cuts) _lineShift += cut.DroppedLineBreaks;
                    _malformed.Remove(_reader.RowNumber + 1);
                    yield return new ImportItem<T>(null, CutRejection(line, cuts, fieldCount, raw()), null);
                    continue;
                }
                var broken = Malformed(fieldCount, columns);
                if (broken != null)
                {
                    if (_quoteEscape == QuoteEscape.Doubled && HasBackslashQuote(_reader.RawRecord)) broken = BackslashQuoteFault(broken.Column, broken.Value);
                    yield return new ImportItem<T>(null, new RowRejection(Path, line, new[] { broken }, raw()), null);
                    continue;
                }
                RowFault? escaped = null;
                for (int f = 0; f < values.Length; f++)
                {
                    int i = sourceIndex[f];
                    values[f] = moreSources[f] != null ? binding.Value(f, cell)
                        : i < 0 ? binding.Constants[f] : i < fieldCount ? _reader.GetString(i) : null;
                    if (escaped == null && _quoteEscape == QuoteEscape.Doubled && i >= 0 && values[f] is string v && v.IndexOf("\\\"", StringComparison.Ordinal) >= 0)
                        escaped = BackslashQuoteFault(binding.ColumnName(f), v);
                }
                if (escaped != null)
                {
                    yield return new ImportItem<T>(null, new RowRejection(Path, line, new[] { escaped }, raw()), null);
                    continue;
                }
                // raw() reads the current record: Normalize calls it before the reader moves on.
                yield return _normalizer.Normalize(binding, values, Path, line, raw);
            }
        }

        /// <summary>
        /// The cuts of the current record: those that start on its first line, and, should the stream and the reader
        /// disagree on where records start (broken quoting), those that start on a later line of it.
        /// </summary>
        private List<CutValue>? TakeCuts(long emittedLine)
        {
            List<CutValue>? cuts = null;
            while (_limits!.TryTakeCut(emittedLine, out var cut)) (cuts ??= new List<CutValue>()).Add(cut);
            if (_limits.HasCuts)
            {
                long last = emittedLine + LineBreaks(_reader.RawRecord);
                while (_limits.TryTakeCut(last, out var cut)) (cuts ??= new List<CutValue>()).Add(cut);
            }
            return cuts;
        }

        private static long LineBreaks(ReadOnlySpan<byte> raw)
        {
            long n = 0;
            for (int i = 0; i < raw.Length; i++)
                if (raw[i] == (byte)'\n' || raw[i] == (byte)'\r' && (i + 1 == raw.Length || raw[i + 1] != (byte)'\n')) n++;
            return n;
        }

        /// <summary>A row with a cell (or the row) over its bound: its location, the cell's start and its length.</summary>
        private RowRejection CutRejection(long line, List<CutValue> cuts, int fieldCount, IReadOnlyDictionary<string, string?> raw)
        {
            var headers = Binding.Headers;
            var values = new Dictionary<string, string?>(raw.Count, StringComparer.Ordinal);
            foreach (var pair in raw) values[pair.Key] = pair.Value;
            var faults = new List<RowFault>(cuts.Count);
            foreach (var cut in cuts)
            {
                string column = cut.Field < headers.Count ? headers[cut.Field] : $"(field {cut.Field + 1})";
                string start = cut.Field < fieldCount ? _reader.GetString(cut.Field) : "";
                string lines = cut.LineBreaks > 0 ? $"; this one is on {ValueText.Count(cut.LineBreaks + 1)} lines: is a quote in it never closed?" : "";
                if (cut.WholeRecord)
                {
                    faults.Add(new RowFault("RecordTooLong", "(row)", RawText(),
                        $"a row of at most {ValueText.Count(CellLimitStream.MaxRecordCharacters)} characters of values; this one has {ValueText.Count(cut.Characters)} characters, " +
                        $"so it was not read past column '{column}'", cut.Characters));
                    continue;
                }
                faults.Add(new RowFault("ValueTooLong", column, start,
                    $"a value of at most {ValueText.Count(CellLimitStream.MaxCellCharacters)} characters (no Metrica field holds more){lines}", cut.Characters));
                if (cut.Field < headers.Count) values[column] = ValueText.Cell(start, cut.Characters);
            }
            return new RowRejection(Path, line, faults, values);
        }

        /// <summary>The first values of one column, read by a reader of its own so the main one stays at the first row.</summary>
        private static IReadOnlyList<string> Sample(string path, CsvReaderOptions options, Encoding encoding, char separator, QuoteEscape quoteEscape, int column)
        {
            var values = new List<string>();
            using var reader = Open(path, options with { OnMalformedRecord = null }, encoding, separator, quoteEscape, out _);
            while (values.Count < SampleRows && reader.Read())
                if (column < reader.FieldCount) values.Add(reader.GetString(column));
            return values;
        }

        private const int SampleRows = 200;

        /// <summary>
        /// Stops a file whose first rows write a quote as \" (a PHP loader's, Bitrix24's) before any row is read: read as
        /// RFC 4180 its values would keep stray backslashes (C:\\Clients read as two), rows or not. The error says where
        /// and its rule names the fix. A row past these that shows it is rejected on its own (see Read).
        /// </summary>
        private static void RefuseBackslashQuotes(string path, CsvReaderOptions options, Encoding encoding, char separator, IReadOnlyList<string> headers)
        {
            var malformed = new HashSet<long>();
            using var reader = Open(path, options with { OnMalformedRecord = m => malformed.Add(m.RecordNumber) }, encoding, separator, QuoteEscape.Doubled, out _);
            try
            {
                for (int n = 0; n < SampleRows && reader.Read(); n++)
                {
                    if (!HasBackslashQuote(reader.RawRecord)) continue;
                    string? column = null, value = null;
                    for (int i = 0; i < reader.FieldCount && column == null; i++)
                    {
                        var v = reader.GetString(i);
                        if (v.IndexOf("\\\"", StringComparison.Ordinal) >= 0) (column, value) = (i < headers.Count ? headers[i] : $"(field {i + 1})", v);
                    }
                    if (column == null && malformed.Contains(reader.RowNumber + 1))
                        (column, value) = ("(row)", System.Text.Encoding.UTF8.GetString(reader.RawRecord.Slice(0, Math.Min(reader.RawRecord.Length, 4 * ValueText.MaxShown)).ToArray()));
                    if (column == null) continue;
                    throw new CrmInputException("BackslashEscapedQuote",
                        $"{path}, line {reader.LineNumber}, column '{column}': value {ValueText.Quoted(value)} writes a quote as \\\" (as PHP and Bitrix24 loaders do), " +
                        "not doubled (\"\") as RFC 4180 and Excel do; read as RFC 4180 its values would keep stray backslashes. Nothing was read: " +
                        "it is to be read as a file that escapes quotes with a backslash.");
                }
            }
            catch (CsvFormatException)
            {
                // The main reader reports it, with the row it stops at.
            }
        }

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
                    return new RowFault("MalformedCsv", "(row)", ValueText.Cell(m.RawRecord),
                        "a closing quote: this quote is never closed, so the rest of the file was read as one value and nothing after this line was imported");
                if (m.Reason == CsvMalformedReason.TextAfterClosingQuote)
                    return new RowFault("MalformedCsv", "(row)", ValueText.Cell(m.RawRecord), "a delimiter right after a closing quote (text after a quoted value)");
            }
            if (fieldCount != columns)
                return new RowFault("FieldCountMismatch", "(row)", RawStart(),
                    $"{columns} fields as in the header, not {fieldCount}: an unquoted delimiter inside a value shifts the columns after it");
            return null;
        }

        private static bool HasBackslashQuote(ReadOnlySpan<byte> raw) => raw.IndexOf(BackslashQuoteBytes) >= 0;

        private static ReadOnlySpan<byte> BackslashQuoteBytes => new[] { (byte)'\\', (byte)'"' };

        /// <summary>
        /// A row that writes a quote as \" (a PHP loader's CSV, Bitrix24's): read as RFC 4180 its values would keep stray
        /// backslashes, or be split in the wrong places. Never guessed at: the row is refused and the option named.
        /// </summary>
        private static RowFault BackslashQuoteFault(string column, string? value) =>
            new RowFault("BackslashEscapedQuote", column, value,
                "quotes written doubled (\"\"), as RFC 4180 and Excel write them; this file writes them as \\\" (as PHP and Bitrix24 loaders do), " +
                "so it is to be read as a file that escapes quotes with a backslash");

        /// <summary>The start of the current record as text, for a message: decoding all of a long record would copy it.</summary>
        private string RawText()
        {
            var raw = _reader.RawRecord;
            return System.Text.Encoding.UTF8.GetString(raw.Slice(0, Math.Min(raw.Length, 4 * ValueText.MaxShown)).ToArray());
        }

        /// <summary>The start of the current record and its length, as a reject file's cell shows them.</summary>
        private string RawStart()
        {
            var raw = _reader.RawRecord;
            string text = RawText();
            return raw.Length <= 4 * ValueText.MaxShown ? ValueText.Cell(text)! : ValueText.Cell(text, System.Text.Encoding.UTF8.GetCharCount(raw.ToArray()))!;
        }

        public void Dispose() => _reader.Dispose();
    }
}
