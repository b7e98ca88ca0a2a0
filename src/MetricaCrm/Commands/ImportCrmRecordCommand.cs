using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Normalization;

namespace MetricaCrm.Commands
{
    /// <summary>A summary of one import, written to the information stream (tag Summary) at the end.</summary>
    public sealed class ImportSummary
    {
        /// <summary>Rows and objects read. Read = Emitted + Rejected.</summary>
        public long Read { get; set; }
        /// <summary>Records written to the pipeline.</summary>
        public long Emitted { get; set; }
        /// <summary>Rows reported as errors (and written to RejectPath), with their reasons.</summary>
        public long Rejected { get; set; }
        /// <summary>Emitted records that had a bad value left out (a bad phone beside a good e-mail), each with a warning. Part of Emitted.</summary>
        public long WithDroppedValues { get; set; }
        /// <summary>Order lines read from -ItemsPath. OrderLinesRead = OrderLinesJoined + OrderLinesRejected.</summary>
        public long OrderLinesRead { get; set; }
        /// <summary>Order lines added to the products of an order that was read.</summary>
        public long OrderLinesJoined { get; set; }
        /// <summary>Order lines reported as errors: broken rules, or no order with their id.</summary>
        public long OrderLinesRejected { get; set; }
        public string? RejectPath { get; set; }
        /// <summary>Values left out of the WithDroppedValues records: bad identifiers beside usable ones, and optional
        /// values Metrica cannot take (a birth date before 1970); each record's are one warning with file, line, column and value.</summary>
        public long ValuesDropped { get; set; }
        public override string ToString() =>
            $"read {Read} rows, emitted {Emitted}, rejected {Rejected}" +
            (WithDroppedValues > 0 ? $"; {WithDroppedValues} emitted with {ValuesDropped} value(s) left out (see the warnings)" : "") +
            (OrderLinesRead > 0 ? $"; order lines read {OrderLinesRead}, joined {OrderLinesJoined}, rejected {OrderLinesRejected}" : "") +
            (RejectPath != null ? $" (rejects in {RejectPath})" : "");
    }

    /// <summary>
    /// What Import-CrmOrder and Import-CrmClient share: files or pipeline objects in, normalised records out,
    /// every rejected row an error record (and a line in -RejectPath), and counts that add up.
    /// </summary>
    public abstract class ImportCrmRecordCommand<T> : MetricaCmdlet where T : class
    {
        /// <summary>CSV files (wildcards allowed).</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Path")]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>CSV files named exactly (no wildcards: [ ] and * are part of the name), as PowerShell's own cmdlets take them.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "LiteralPath")]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Records from the pipeline (Import-Csv rows, DataRows, hashtables), bound by property name. File objects from
        /// Get-ChildItem and path strings are read as files. (One parameter set: with a separate set for objects,
        /// PowerShell commits to the Path set before it sees a pipeline object.)
        /// </summary>
        [Parameter(ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>Comma, semicolon or tab. Absent: detected from the file.</summary>
        [Parameter]
        public char? Delimiter { get; set; }

        /// <summary>How the file writes a quote inside a quoted value: Doubled ("", RFC 4180 and Excel; the default) or
        /// Backslash (\", as PHP and Bitrix24 loaders write it).</summary>
        [Parameter]
        public QuoteEscape QuoteEscape { get; set; }

        /// <summary>UTF8, Unicode, BigEndianUnicode, windows-1251... Absent: detected (BOM, UTF-8, Windows-1251).</summary>
        [Parameter]
        [ValidateEncoding]
        [ArgumentCompleter(typeof(EncodingCompleter))]
        public string? Encoding { get; set; }

        /// <summary>The zone of date-times without an offset: a Windows or IANA id. Absent: this machine's zone.</summary>
        [Parameter]
        [ValidateTimeZone]
        [ArgumentCompleter(typeof(TimeZoneCompleter))]
        public string? TimeZone { get; set; }

        /// <summary>The region of phone numbers written without a country code.</summary>
        [Parameter]
        [ValidateRegion]
        public string DefaultRegion { get; set; } = "RU";

        /// <summary>Field = source column, overriding the built-in header names: @{ Id = 'Deal number'; Phones = 'Mobile' }.</summary>
        [Parameter]
        public Hashtable? ColumnMap { get; set; }

        /// <summary>Replace raw phones and e-mails by their MD5 so no personal data leaves the machine.</summary>
        [Parameter]
        public SwitchParameter HashIdentifiers { get; set; }

        /// <summary>Adds an Explanation property (and information records) saying which rule changed which value.</summary>
        [Parameter]
        public SwitchParameter Explain { get; set; }

        /// <summary>Also write rejected rows with their reasons to this CSV (safe to open in Excel).</summary>
        [Parameter]
        public string? RejectPath { get; set; }

        /// <summary>Custom attribute columns to carry (Import-CrmOrder and Import-CrmClient have -Attribute).</summary>
        protected virtual IReadOnlyList<string> Attributes => Array.Empty<string>();

        private RecordNormalizer<T> _normalizer = null!;
        private ObjectRecords<T>? _objects;
        private RejectFile? _rejects;
        private readonly ImportSummary _summary = new ImportSummary();
        private Dictionary<string, string>? _columnMap;

        protected abstract RecordNormalizer<T> CreateNormalizer(NormalizerOptions options, IReadOnlyList<string> attributes);

        /// <summary>The summary of this import (derived cmdlets add their own counts before it is written).</summary>
        protected ImportSummary Summary => _summary;

        /// <summary>Called for each record just before it is written, on the pipeline thread.</summary>
        protected virtual void BeforeEmit(T record) { }

        /// <summary>Reports a rejected row: an error record, a line in -RejectPath, a count.</summary>
        protected void ReportRejection(RowRejection rejection)
        {
            _rejects?.Write(rejection);
            var ex = new InvalidDataException(rejection.Message);
            WriteError(Hints.Attach(new ErrorRecord(ex, rejection.Rule, ErrorCategory.InvalidData, rejection), rejection.Rule));
        }
        protected abstract string Noun { get; }

        /// <summary>Constant values for fields that have no column (-Currency RUB).</summary>
        protected virtual IDictionary<string, string?> Constants => new Dictionary<string, string?>();

        protected override void BeginProcessing()
        {
            try
            {
                var zone = CrmDateTimeParser.ResolveZone(TimeZone);
                var options = new NormalizerOptions(new PhoneNormalizer(DefaultRegion), new CrmDateTimeParser(zone), HashIdentifiers, Explain);
                foreach (var name in Attributes)
                    if (!MetricaCrm.Engine.Upload.AttributeNames.IsValid(name))
                        throw new ArgumentException($"-Attribute '{name}' is not a Metrica attribute name: 1-255 letters, digits, '_', '-' or ':'.");
                _normalizer = CreateNormalizer(options, Attributes);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidArgument", ErrorCategory.InvalidArgument, null));
            }
            if (ColumnMap != null)
            {
                _columnMap = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                // A list field may take several columns: @{ phones = 'Рабочий телефон', 'Мобильный телефон' }.
                foreach (DictionaryEntry e in ColumnMap)
                    _columnMap[e.Key.ToString()!] = (e.Value is PSObject p ? p.BaseObject : e.Value) is IEnumerable list and not string
                        ? string.Join(ColumnBinding.MapColumnSeparator.ToString(), list.Cast<object>().Select(v => v?.ToString() ?? ""))
                        : e.Value?.ToString() ?? "";
            }
            if (RejectPath != null)
            {
                var full = GetUnresolvedProviderPathFromPSPath(RejectPath);
                try
                {
                    _rejects = new RejectFile(full);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "RejectPathUnwritable", ErrorCategory.WriteError, full));
                }
                _summary.RejectPath = full;
            }
        }

        protected override void ProcessRecord()
        {
            if (InputObject != null)
            {
                foreach (var item in Items(InputObject)) ProcessInput(item);
                return;
            }
            foreach (var p in LiteralPath)
            {
                string file = GetUnresolvedProviderPathFromPSPath(p);
                if (File.Exists(file)) ImportFile(file);
                else FileNotFound(new FileNotFoundException($"There is no file '{file}'.", file), p);
            }
            foreach (var p in Path)
            {
                foreach (var file in ResolveFiles(p))
                    ImportFile(file);
            }
        }

        private void ProcessInput(PSObject input)
        {
            switch (input.BaseObject)
            {
                case FileInfo file:
                    ImportFile(file.FullName);
                    return;
                case string path:
                    foreach (var f in ResolveFiles(path)) ImportFile(f);
                    return;
            }
            _objects ??= new ObjectRecords<T>(_normalizer, _columnMap, Constants);
            var (names, values) = PropertyBag.Read(input, out var faults);
            long number = _summary.Read + 1;
            Emit(_objects.Normalize(names, values, "pipeline object", number, faults));
            foreach (var note in _objects.Notes) WriteVerbose($"pipeline objects: {note}");
            _objects.Notes.Clear();
        }

        private IEnumerable<string> ResolveFiles(string path)
        {
            Collection<string> resolved;
            try
            {
                resolved = GetResolvedProviderPathFromPSPath(path, out _);
            }
            catch (ItemNotFoundException ex)
            {
                FileNotFound(ex, path);
                yield break;
            }
            if (resolved.Count == 0)
            {
                // A pattern that matches nothing. A file named exactly so ("orders[1].csv": [1] reads as a wildcard) is
                // the file meant; otherwise nothing was read, which is an error, never a silent empty import.
                string literal = GetUnresolvedProviderPathFromPSPath(path);
                if (File.Exists(literal))
                {
                    WriteVerbose($"'{path}' matches no file as a wildcard pattern; read as the file of that exact name (-LiteralPath says so).");
                    resolved.Add(literal);
                }
                else
                {
                    FileNotFound(new FileNotFoundException($"No file matches '{path}'. (A name with [ ] in it is a wildcard pattern: use -LiteralPath.)", path), path);
                    yield break;
                }
            }
            foreach (var r in resolved) yield return r;
        }

        /// <summary>A path that names no file: one non-terminating error, the other paths still read.</summary>
        private void FileNotFound(Exception ex, string path) => WriteError(new ErrorRecord(ex, "FileNotFound", ErrorCategory.ObjectNotFound, path));

        private void ImportFile(string file)
        {
            var reader = OpenCsv(file, _normalizer, Constants);
            if (reader == null) return;
            using (reader)
            {
                WriteVerbose($"{file}: {reader.Encoding.WebName}, delimiter '{(reader.Delimiter == '\t' ? "\\t" : reader.Delimiter.ToString())}', " +
                    $"columns {string.Join(", ", BoundColumns(reader.Binding))}" +
                    (reader.Binding.IgnoredHeaders.Count > 0 ? $"; ignored: {string.Join(", ", reader.Binding.IgnoredHeaders)}" : ""));
                foreach (var note in reader.Binding.Notes) WriteVerbose($"{file}: {note}");
                var unread = reader.Binding.IgnoredIdentifierHeaders;
                if (unread.Count > 0)
                    WriteWarning($"{file}: the columns {string.Join(", ", unread.Select(h => "'" + h + "'"))} look like phones, e-mails or ClientIDs " +
                        "but are not read (-Verbose lists the columns read). A list field reads several columns when they are mapped: " +
                        $"-ColumnMap {reader.Binding.SuggestedColumnMap() ?? "@{ phones = 'A', 'B' }"}.");
                string activity = $"{Noun}: {System.IO.Path.GetFileName(file)}";
                long rows = 0;
                try
                {
                    // Read, normalised and emitted on this thread: see CsvRecordFile.Read for why no thread reads ahead.
                    var late = reader.Binding.LateNotes;
                    foreach (var item in Rows(reader))
                    {
                        if (late.Count > 0) SayLate(file, late);
                        Emit(item);
                        if (++rows % 20000 == 0)
                        {
                            Progress(1, activity, $"{rows:N0} rows", reader.FileLength > 0 ? (int)Math.Min(99, reader.Position * 100 / reader.FileLength) : -1);
                        }
                    }
                }
                catch (Exception ex) when (ex is IOException || ex is CrmInputException)
                {
                    // The file went away or broke mid-way: what was read is out; say where reading stopped.
                    WriteError(new ErrorRecord(new IOException($"{file}: reading stopped after {rows} rows: {ex.Message}", ex),
                        ex is CrmInputException c ? c.ErrorId : "FileUnreadable", ErrorCategory.ReadError, file));
                }
                Progress(1, activity, $"{rows:N0} rows", 100, completed: true);
            }
        }

        /// <summary>What the file's values settled while its rows were read (an ambiguous amount's or date's reading).</summary>
        private void SayLate(string file, List<(bool Warning, string Text)> notes)
        {
            foreach (var (warning, text) in notes)
                if (warning) WriteWarning($"{file}: {text}");
                else WriteVerbose($"{file}: {text}");
            notes.Clear();
        }

        /// <summary>The file's rows; Ctrl+C while a row is read stops the pipeline as PowerShell expects.</summary>
        private IEnumerable<ImportItem<T>> Rows(CsvRecordFile<T> reader)
        {
            using var e = reader.Read(StopToken).GetEnumerator();
            while (true)
            {
                try
                {
                    if (!e.MoveNext()) yield break;
                }
                catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }
                yield return e.Current;
            }
        }

        private static IEnumerable<string> BoundColumns(ColumnBinding b)
        {
            for (int f = 0; f < b.SourceIndex.Count; f++)
                if (b.SourceIndex[f] >= 0) yield return $"{b.Schema.Fields[f].Name}='{b.Headers[b.SourceIndex[f]]}'";
        }

        private void Emit(ImportItem<T> item)
        {
            _summary.Read++;
            if (item.Rejection != null)
            {
                _summary.Rejected++;
                ReportRejection(item.Rejection);
                return;
            }
            _summary.Emitted++;
            if (item.Dropped != null)
            {
                _summary.WithDroppedValues++;
                _summary.ValuesDropped += item.Dropped.Faults.Count;
                WriteWarning(item.Dropped.Message);
            }
            BeforeEmit(item.Record!);
            if (Explain)
            {
                var pso = PSObject.AsPSObject(item.Record!);
                var lines = item.Explanation ?? (IReadOnlyList<string>)Array.Empty<string>();
                pso.Properties.Add(new PSNoteProperty("Explanation", lines));
                foreach (var line in lines) WriteInformation(new InformationRecord($"line {LineOf(item.Record!)}: {line}", MyInvocation.MyCommand.Name), new[] { "Explain" });
                WriteObject(pso);
            }
            else WriteObject(item.Record);
        }

        protected abstract long LineOf(T record);

        /// <summary>Last work before the summary (reporting order lines that joined no order).</summary>
        protected virtual void Finish() { }

        /// <summary>Opens a CSV file with this command's delimiter, encoding and column map; null (error written) when it cannot be read.</summary>
        protected CsvRecordFile<TRow>? OpenCsv<TRow>(string file, RecordNormalizer<TRow> normalizer, IDictionary<string, string?>? constants, bool useColumnMap = true) where TRow : class
        {
            try
            {
                var options = new CsvFileOptions
                {
                    Delimiter = Delimiter, Encoding = Encoding != null ? EncodingDetector.Resolve(Encoding) : null, QuoteEscape = QuoteEscape,
                };
                return new CsvRecordFile<TRow>(file, normalizer, options, useColumnMap ? _columnMap : null, constants);
            }
            catch (CrmInputException ex)
            {
                // The whole file is refused before any row is emitted: missing or ambiguous columns, unknown encoding.
                WriteError(Hints.Attach(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.InvalidData, file), ex.ErrorId));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is ArgumentException)
            {
                WriteError(new ErrorRecord(ex, "FileUnreadable", ErrorCategory.ReadError, file));
            }
            return null;
        }

        /// <summary>The options every normaliser of this command shares (zone, region, hashing), built in BeginProcessing.</summary>
        protected NormalizerOptions Options => _normalizer.Options;

        protected override void EndProcessing()
        {
            Finish();
            _rejects?.Dispose();
            WriteInformation(_summary, new[] { "Summary" });
            WriteVerbose($"{MyInvocation.MyCommand.Name}: {_summary}");
        }

        protected override void StopProcessing()
        {
            base.StopProcessing();
        }
    }
}
