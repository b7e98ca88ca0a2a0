using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>What the caller of anything that sends batches provides: confirmation, waiting, and where outcomes go.</summary>
    public interface IBatchHost
    {
        /// <summary>Asks whether a batch may be sent (a confirmation prompt, or -WhatIf saying no). Called on the caller's thread.</summary>
        bool Approve(string target, string action);

        /// <summary>Waits for background work while the caller keeps serving its own messages; cancellation surfaces as an exception.</summary>
        T Await<T>(Task<T> task);

        /// <summary>An upload Metrica answered with 200: accepted, or (validation FAILED) refused inside the 200.</summary>
        void Uploaded(MetricaUpload upload, BatchFile batch);
        /// <summary>An upload that failed; <paramref name="outcome"/> says whether its batch is kept to be sent again.</summary>
        void UploadFailed(MetricaApiException error, BatchFile batch, Journal.BatchState outcome);
        void Warning(string message);
        void Progress(string status);
    }

    /// <summary>What the caller of an upload session provides beyond sending: where rejected and skipped records go.</summary>
    public interface IUploadHost : IBatchHost
    {
        void Rejected(RowRejection rejection, object record);
        /// <summary>A valid record deliberately left out, and why.</summary>
        void Skipped(object record, string reason);
        /// <summary>A record the upload journal saw accepted with other values, so it goes (or would go) again; and what is known of the change.</summary>
        void Changed(object record, string description);
    }

    public sealed class UploadSessionOptions
    {
        public long CounterId { get; set; }
        public MergeMode MergeMode { get; set; } = MergeMode.Save;
        /// <summary>Records per batch.</summary>
        public long BatchSize { get; set; } = 250_000;
        /// <summary>Bytes per batch, kept below Metrica's 1 GB file limit with room for the last buffered record.</summary>
        public long MaxBatchBytes { get; set; } = MetricaFileLimitBytes - (16 << 20);
        /// <summary>
        /// Where batch files are written, each send in a folder of its own: with a journal, the journal's batches folder
        /// (a kept batch must outlive the process); else the temporary folder.
        /// </summary>
        public string? Directory { get; set; }
        /// <summary>Remembers batches and accepted records; null: no memory (every record is sent).</summary>
        public Journal.UploadJournal? Journal { get; set; }
        /// <summary>Sends records even when the journal says Metrica already has exactly these values.</summary>
        public bool SendUnchanged { get; set; }
        /// <summary>See <see cref="ResumeOptions.ListingGrace"/>: used when the send settles what it kept, at its end.</summary>
        public TimeSpan ListingGrace { get; set; } = new ResumeOptions().ListingGrace;
        /// <summary>Where uploaded batch files are moved for audit instead of being deleted; null: deleted.</summary>
        public string? KeepDirectory { get; set; }
        /// <summary>The least time between two progress reports: a few a second, whatever the send's speed.</summary>
        public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);

        public const long MetricaFileLimitBytes = 1_000_000_000;
    }

    /// <summary>
    /// One send of one kind: takes normalised records one at a time, checks them with the kind's rules, writes them into
    /// batches (cut at the row and byte limits, and where an id repeats so each file holds each id once and later rows
    /// apply later), each batch one file per set of columns its records fill (<see cref="BatchParts{TRecord}"/>), and
    /// uploads the files one after another, in input order of their batches, each while the next batch is being written.
    /// Every record ends up counted as sent, rejected, failed or not sent. Driven from one thread (the caller's).
    /// </summary>
    public sealed class UploadSession<TRecord> : IDisposable where TRecord : class
    {
        private readonly UploadKind<TRecord> _kind;
        private readonly UploadSessionOptions _options;
        private readonly IUploadHost _host;
        private readonly Func<MetricaClient> _client;
        private readonly Func<TimeZoneInfo> _counterZone;
        private readonly CancellationToken _cancellation;
        private readonly string _directoryRoot;
        private BatchFolder? _folder;
        // 64-bit hashes of the open batch's ids: constant size per row; a rare false "repeat" only cuts a batch early.
        private readonly HashSet<ulong> _batchIds = new HashSet<ulong>();
        private readonly List<MetricaUpload> _accepted = new List<MetricaUpload>();
        private TimeZoneInfo? _zone;
        private BatchParts<TRecord>? _batch;
        private int _batchNumber;
        private (Task<MetricaUpload> Task, BatchFile Batch, long? JournalBatch, int Number)? _inFlight;
        /// <summary>
        /// Set when every later batch would fail the same way: Metrica refused the token or the counter, or the day's
        /// request budget is spent. Later batches are not sent; with a journal they are kept to be sent later.
        /// </summary>
        private string? _stop;
        /// <summary>Whether batches not sent after the stop are kept for a resume (a quota, access) or failed (a request Metrica refuses as such).</summary>
        private bool _stopKeeps;
        private DateTime? _resumeAfterUtc;
        private int _keptBatches;
        private readonly HashSet<long> _keptIds = new HashSet<long>();

        public UploadSession(UploadKind<TRecord> kind, UploadSessionOptions options, IUploadHost host, Func<MetricaClient> client,
            Func<TimeZoneInfo> counterZone, string summaryLabel, CancellationToken cancellation)
        {
            if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "A batch holds at least one record.");
            _kind = kind;
            _options = options;
            _host = host;
            _client = client;
            _counterZone = counterZone;
            _cancellation = cancellation;
            _directoryRoot = options.Directory ?? Path.Combine(Path.GetTempPath(), "MetricaCrm");
            Summary = new UploadSummary(summaryLabel);
            _progress = new ProgressThrottle(options.ProgressInterval);
            _keepPrefix = DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "_" + options.CounterId + "_";
        }

        private readonly string _keepPrefix;
        private readonly ProgressThrottle _progress;
        /// <summary>Records looked up in the journal so far, for progress.</summary>
        private long _compared;
        /// <summary>Set once every record has been given (<see cref="Complete"/>): the number of batches is known.</summary>
        private bool _allGiven;
        /// <summary>Records written into batches without a journal lookup (no journal, or a kind it keeps no record of).</summary>
        private long _uncompared;

        public UploadSummary Summary { get; }

        public UploadKind<TRecord> Kind => _kind;

        /// <summary>Uploads Metrica accepted, in order.</summary>
        public IReadOnlyList<MetricaUpload> Accepted => _accepted;

        /// <summary>Counts a record that never became one: it broke a rule while being read.</summary>
        public void Reject(RowRejection rejection, object record)
        {
            Summary.Received++;
            Summary.Rejected++;
            _host.Rejected(rejection, record);
        }

        public void Add(TRecord record)
        {
            Summary.Received++;
            if (_progress.Due())
            {
                _cancellation.ThrowIfCancellationRequested();
                _host.Progress(ProgressText());
            }
            var fault = _kind.Check(record);
            if (fault != null)
            {
                var origin = _kind.Origin(record);
                Summary.Rejected++;
                _host.Rejected(new RowRejection(origin.Source, origin.Line, new[] { fault }), record);
                return;
            }
            string? skip = _kind.Skip(record);
            if (skip != null)
            {
                Summary.Skipped++;
                _host.Skipped(record, skip);
                return;
            }
            if (_options.Journal == null || _kind.JournalRecordOf(record) is not { } now)
            {
                if (_lookups.Count > 0) FlushLookups(); // keeps input order
                Place(record, (null, false, false, null));
                return;
            }
            _lookups.Add((record, now));
            if (_lookups.Count == LookupBlock) FlushLookups();
        }

        /// <summary>
        /// Records waiting for their journal lookup: looking up a block of ids in one statement costs a fraction of one
        /// statement per record (the journal benchmark measures both), and the records then go on in input order.
        /// </summary>
        private readonly List<(TRecord Record, Journal.JournalRecord Now)> _lookups = new List<(TRecord, Journal.JournalRecord)>();
        private const int LookupBlock = 500;
        private readonly string[] _lookupIds = new string[LookupBlock];
        private readonly Journal.AcceptedState[] _acceptedStates = new Journal.AcceptedState[LookupBlock];

        private void FlushLookups()
        {
            if (_lookups.Count == 0) return;
            for (int i = 0; i < _lookups.Count; i++) _lookupIds[i] = _lookups[i].Now.RecordId;
            _compared += _lookups.Count;
            _options.Journal!.LastAccepted(_options.CounterId, _kind.JournalKind, new ArraySegment<string>(_lookupIds, 0, _lookups.Count), _acceptedStates);
            LookUpContacts();
            // Placing a record may complete a batch, which never looks records up: the block stays as it is meanwhile.
            for (int i = 0; i < _lookups.Count; i++)
                Place(_lookups[i].Record, Remembered(_lookups[i].Now, _acceptedStates[i]));
            _lookups.Clear();
        }

        /// <summary>A checked record, with what the journal knows of it: refused, unchanged, or written into the open batch.</summary>
        private void Place(TRecord record, (Journal.JournalRecord? Record, bool WasAccepted, bool Same, RowFault? Fault) remembered)
        {
            if (remembered.Fault != null)
            {
                var origin = _kind.Origin(record);
                Summary.Rejected++;
                _host.Rejected(new RowRejection(origin.Source, origin.Line, new[] { remembered.Fault }), record);
                return;
            }
            if (remembered.Same && !_options.SendUnchanged)
            {
                Summary.Unchanged++;
                return;
            }
            string id = _kind.RecordId(record);
            if (_kind.ContactOf(record) is string contact)
            {
                var perClientFault = PerClient(contact, id, remembered.WasAccepted);
                if (perClientFault != null)
                {
                    var origin = _kind.Origin(record);
                    Summary.Rejected++;
                    _host.Rejected(new RowRejection(origin.Source, origin.Line, new[] { perClientFault }), record);
                    return;
                }
                NoteContact(contact);
            }
            ulong idHash = RecordHash.Of(id);
            string columns = _kind.ColumnKey(record);
            if (_batch != null)
            {
                bool repeated = _batchIds.Contains(idHash);
                if (repeated || _batch.Rows >= _options.BatchSize || _batch.ApproximateBytes >= _options.MaxBatchBytes || _batch.IsFull(columns))
                {
                    if (repeated)
                    {
                        var origin = _kind.Origin(record);
                        _host.Warning($"{_kind.RecordNoun} id {id} repeats ({origin.Source}, line {origin.Line}): it goes into the next upload, so that it is applied after the earlier row.");
                    }
                    CompleteBatch();
                }
            }
            if (_batch == null) OpenBatch();
            _batchIds.Add(idHash);
            var comparison = Classify(record, id, remembered.Record != null, remembered.WasAccepted, remembered.Same);
            _batch!.Write(record, columns, remembered.Record, (_kind.Origin(record), id), comparison);
        }

        /// <summary>Counts a record written into the open batch by what the journal knows of it, and names a changed one.</summary>
        private RecordComparison Classify(TRecord record, string id, bool compared, bool wasAccepted, bool same)
        {
            if (!compared) { _uncompared++; return RecordComparison.Uncompared; }
            if (!wasAccepted) { Summary.New++; return RecordComparison.New; }
            if (same) return RecordComparison.Same;
            Summary.Changed++;
            var origin = _kind.Origin(record);
            // The journal keeps one 64-bit fingerprint of a record's values (a few bytes a record, for millions of
            // records), not the values: it knows that something changed, not which field. See docs/dry-run.md.
            _host.Changed(record, $"{_kind.RecordNoun} {id} ({origin.Source}, line {origin.Line}) changed since Metrica accepted it: " +
                "it goes again with its new values (which fields changed is not known: the upload journal keeps a fingerprint of the values, not the values)");
            return RecordComparison.Changed;
        }

        /// <summary>What the send is doing now, in one line: reading and comparing, which batch is uploading, what Metrica has accepted.</summary>
        private string ProgressText()
        {
            string noun = _kind.RecordNoun;
            var text = new System.Text.StringBuilder(_allGiven ? "Read all " : "Reading: ").Append(Summary.Received.ToString("N0", System.Globalization.CultureInfo.CurrentCulture))
                .Append(' ').Append(noun).Append("(s)");
            if (_options.Journal != null && _compared > 0)
                text.Append($", {_compared:N0} checked against the upload journal ({Summary.New:N0} new, {Summary.Changed:N0} changed, {Summary.Unchanged:N0} unchanged)");
            if (_inFlight is { } flight)
                text.Append($"; uploading batch {flight.Number}{(_allGiven ? $" of {_batchNumber}" : "")} ({flight.Batch.Rows:N0} {noun}s), waiting for Metrica's answer");
            text.Append($"; {Summary.Sent:N0} {noun}(s) uploaded in {Summary.Uploads} accepted batch(es)");
            return text.ToString();
        }

        /// <summary>Sends the last batch and waits for every upload.</summary>
        public void Complete()
        {
            FlushLookups();
            _allGiven = true;
            CompleteBatch();
            _host.Progress(ProgressText()); // once: the last batch is now uploading, or nothing is
            FinishInFlight();
            SettleKept();
            foreach (var warning in _kind.Warnings()) _host.Warning(warning);
            if (_withoutContact > 0)
                _host.Warning($"{_withoutContact} {_kind.RecordNoun}(s) of {_contactsMissing.Count} client(s) belong to contacts the upload journal never saw accepted for counter {_options.CounterId} " +
                    $"(first: {string.Join(", ", System.Linq.Enumerable.Take(_contactsMissing, 5))}): Metrica links {_kind.RecordNoun}s only after their contact is uploaded, so upload the contacts first " +
                    "(unless they were uploaded without this journal).");
            if (_keptBatches > 0)
                _host.Warning($"{Summary.Pending} {_kind.RecordNoun}(s) in {_keptBatches} upload(s) were not accepted yet and are kept in the upload journal ({_stop ?? "see the errors above"}); " +
                    (_resumeAfterUtc is DateTime at ? $"resume them after {at:yyyy-MM-dd HH:mm} UTC." : "resume them once the cause is fixed."));
        }

        /// <summary>
        /// What the journal knows of the record: Metrica already accepted exactly these values (unchanged), or an order
        /// id was accepted with another creation time, which Metrica never changes, so this row would never match.
        /// </summary>
        private (Journal.JournalRecord? Record, bool WasAccepted, bool Same, RowFault? Fault) Remembered(Journal.JournalRecord now, Journal.AcceptedState accepted)
        {
            if (!accepted.Found) return (now, false, false, null);
            if (now.CreatedUtc != null && accepted.CreatedUtc != null && Math.Abs((now.CreatedUtc.Value - accepted.CreatedUtc.Value).TotalSeconds) >= 1)
                return (null, true, false, new RowFault("CreateDateChanged", "create_date_time", now.CreatedUtc.Value.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
                    $"the creation time this {_kind.RecordNoun} was accepted with ({accepted.CreatedUtc.Value:yyyy-MM-dd HH:mm:ss} UTC): Metrica never changes it, so this row would never match. " +
                    "After a CRM migration, give the migrated records new ids (a prefix) instead"));
            return (now, true, accepted.Fingerprint == now.Fingerprint, null);
        }

        /// <summary>Metrica's per-client limit, counted from what the journal says the client already has.</summary>
        private RowFault? PerClient(string client, string id, bool wasAccepted)
        {
            if (_kind.MaxRecordsPerClient is not int limit) return null;
            var journal = _options.Journal;
            _perClient ??= new RecordsPerClient(limit, journal == null ? null : c => journal.CountAcceptedForClient(_options.CounterId, _kind.JournalKind, c));
            return _perClient.Count(client, id, _kind.RecordNoun, wasAccepted);
        }

        /// <summary>Counts records whose contact the journal never saw accepted for the counter: Metrica will not link them.</summary>
        private void NoteContact(string contact)
        {
            var journal = _options.Journal;
            if (journal == null) return;
            if (!_contactKnown.TryGetValue(contact, out bool known))
                _contactKnown[contact] = known = journal.LastAccepted(_options.CounterId, Journal.JournalKind.Clients, contact) != null;
            if (known) return;
            _withoutContact++;
            _contactsMissing.Add(contact);
        }

        /// <summary>
        /// Whether the block's new contacts were ever accepted, looked up in one statement with the block (for the kinds
        /// whose records belong to a contact) instead of one statement per contact in <see cref="NoteContact"/>.
        /// </summary>
        private void LookUpContacts()
        {
            _newContacts.Clear();
            foreach (var (record, _) in _lookups)
                if (_kind.ContactOf(record) is string contact && !_contactKnown.ContainsKey(contact) && !_newContacts.Contains(contact))
                    _newContacts.Add(contact);
            if (_newContacts.Count == 0) return;
            var ids = new List<string>(_newContacts);
            var states = new Journal.AcceptedState[ids.Count];
            _options.Journal!.LastAccepted(_options.CounterId, Journal.JournalKind.Clients, ids, states);
            for (int i = 0; i < ids.Count; i++) _contactKnown[ids[i]] = states[i].Found;
        }

        private readonly HashSet<string> _newContacts = new HashSet<string>(StringComparer.Ordinal);
        private RecordsPerClient? _perClient;
        private readonly Dictionary<string, bool> _contactKnown = new Dictionary<string, bool>(StringComparer.Ordinal);
        private readonly HashSet<string> _contactsMissing = new HashSet<string>(StringComparer.Ordinal);
        private long _withoutContact;

        private void OpenBatch()
        {
            _zone ??= _counterZone();
            _folder ??= BatchFolder.Create(_directoryRoot);
            var zone = _zone;
            var folder = _folder.Path;
            _batch = new BatchParts<TRecord>(first => _kind.OpenWriter(Path.Combine(folder, $"{_kind.Name}_{++_batchNumber:D4}"), zone, first));
            _batchIds.Clear();
        }

        private void CompleteBatch()
        {
            var batch = _batch;
            _batch = null;
            if (batch == null) return;
            foreach (var (file, records) in batch.Complete())
                Send(file, records); // journaled before Send returns
        }

        /// <summary>
        /// What this send did or, declined or under -WhatIf, would have done, compared with the upload journal: the
        /// text of a dry run's last line. Records the journal says Metrica already has are left out.
        /// </summary>
        public string Preview()
        {
            string noun = _kind.RecordNoun;
            long going = Summary.NotSent + Summary.Sent + Summary.Failed + Summary.Pending;
            string text = $"{Summary.Label} would upload {going} of {Summary.Received} {noun}(s) as {_kind.Name} to Metrica counter {_options.CounterId}";
            if (_options.Journal == null)
                return text + " (no upload journal was compared: every valid record goes)";
            if (_compared == 0 && _uncompared > 0)
                return text + $" (the upload journal keeps no per-record state of {_kind.Name}: every valid record goes)";
            long same = going - Summary.New - Summary.Changed - _uncompared;
            return text + $": {Summary.New} new, {Summary.Changed} changed" + (same > 0 ? $", {same} unchanged sent again (-Force)" : "") +
                $"; {Summary.Unchanged} unchanged {noun}(s) left out (the upload journal says Metrica has these values)";
        }

        /// <summary>Starts a batch's upload once the one before it has finished: uploads stay in input order.</summary>
        private void Send(BatchFile batch, IReadOnlyList<Journal.JournalRecord> records)
        {
            FinishInFlight();
            if (_refused != null)
            {
                Summary.NotSent += batch.Rows;
                BatchFolder.Delete(batch.Path);
                return;
            }
            var request = _kind.Request(_options.MergeMode);
            if (_stop == null)
            {
                string action = $"Upload {batch.Rows} {_kind.RecordNoun}(s) as {_kind.Name}" +
                    (_kind.HasMergeMode ? $" (merge_mode={_options.MergeMode.ToString().ToUpperInvariant()})" : "") + batch.AgainstJournal;
                if (!_host.Approve($"Metrica counter {_options.CounterId}", action))
                {
                    Summary.NotSent += batch.Rows;
                    BatchFolder.Delete(batch.Path);
                    return;
                }
            }
            long? journalBatch = null;
            if (_options.Journal is { } journal)
            {
                // Recorded before the request: a process killed mid-upload leaves the batch Pending, never forgotten.
                journalBatch = journal.BeginBatch(_options.CounterId, _kind.JournalKind, _options.MergeMode, batch.Path, BatchFolder.Sha256(batch.Path), batch.Rows,
                    request.ReplaySafe, request.ToJson());
                if (records.Count > 0) journal.AddSentRecords(journalBatch.Value, records);
            }
            if (_stop != null)
            {
                // Not sent: kept for later when there is a journal, else counted as failed.
                var notSent = journalBatch != null && _stopKeeps ? Journal.BatchState.Deferred : Journal.BatchState.Failed;
                if (journalBatch is long kept) _options.Journal!.CompleteBatch(kept, null, notSent, "not sent: " + _stop);
                Settle(batch, notSent, null, journalBatch);
                return;
            }
            var client = _client();
            _inFlight = (Task.Run(() => client.SendUploadAsync(_options.CounterId, request, batch, _cancellation)), batch, journalBatch, _batchNumber);
        }

        private void FinishInFlight()
        {
            if (_inFlight is not { } pending) return;
            _inFlight = null;
            var (task, batch, journalBatch, _) = pending;
            var journal = _options.Journal;
            try
            {
                var upload = _host.Await(task);
                upload.RowsSent = batch.Rows;
                upload.File = batch.Name;
                upload.MergeMode = _kind.HasMergeMode ? _options.MergeMode.ToString().ToUpperInvariant() : null;
                upload.Kind = _kind.Name;
                var (outcome, note) = BatchOutcome.Of(upload); // HTTP 200 is not success: validation FAILED
                if (journalBatch is long id) journal!.CompleteBatch(id, upload.UploadId, outcome, note);
                if (!upload.Failed) _accepted.Add(upload);
                Settle(batch, outcome, upload.UploadId);
                _host.Uploaded(upload, batch);
            }
            catch (Journal.DailyBudgetSpentException ex)
            {
                StopSending(ex.Message, ex.ResumeAtUtc, keep: true);
                if (journalBatch is long id) journal!.CompleteBatch(id, null, Journal.BatchState.Deferred, "not sent: " + ex.Message);
                Settle(batch, journalBatch != null ? Journal.BatchState.Deferred : Journal.BatchState.Failed, null, journalBatch);
            }
            catch (MetricaApiException refused)
            {
                var ex = batch.DescribeLine(refused.ApiMessage) is string row ? refused.WithDetail(row) : refused;
                var outcome = BatchOutcome.Of(ex, keptForLater: journalBatch != null);
                if (journalBatch is long id) journal!.CompleteBatch(id, null, outcome, ex.Message);
                if (ex.IsAccessRefused)
                    StopSending($"Metrica refused an earlier upload with HTTP {(int?)ex.StatusCode} {ex.ErrorType}", null, keep: true);
                else if (ex.IsDailyQuota)
                    StopSending($"Metrica answered {ex.ErrorType}: the day's quota is spent", DateTime.UtcNow.Date.AddDays(1), keep: true);
                else if (BatchOutcome.IsRequestRefused(ex))
                    StopSending($"Metrica refused the upload request itself ({ex.ErrorType}), as it would every later one", null, keep: false);
                Settle(batch, outcome, null, journalBatch);
                _host.UploadFailed(ex, batch, outcome);
            }
        }

        /// <summary>
        /// Before the send ends, settles the batches it kept for a passing reason (an answer lost, a server error): it
        /// looks them up and sends again what Metrica lacks, a few rounds, so a send that met passing failures usually
        /// ends with nothing kept. Not after a stop: what stopped it (a spent quota, a refused token) still holds.
        /// </summary>
        private void SettleKept()
        {
            if (_options.Journal is not { } journal || _keptIds.Count == 0 || _stop != null) return;
            var resume = new BatchResume(journal, _host, _client, new ResumeOptions
            {
                CounterId = _options.CounterId, Kind = _kind.JournalKind, ListingGrace = _options.ListingGrace, OwnFolder = _folder?.Path,
                BatchIds = _keptIds,
            }, _cancellation);
            foreach (var batch in resume.Run())
            {
                if (batch.State == Journal.BatchState.Accepted) { Summary.Pending -= batch.Rows; Summary.Sent += batch.Rows; Summary.Uploads++; _keptBatches--; }
                else if (batch.State == Journal.BatchState.Failed) { Summary.Pending -= batch.Rows; Summary.Failed += batch.Rows; _keptBatches--; }
            }
            foreach (var upload in resume.Accepted) _accepted.Add(upload);
        }

        /// <summary>Sends nothing of this session: every record it is given is counted NotSent, and no batch is journaled.</summary>
        public void Refuse(string reason) => _refused = reason;

        private string? _refused;

        private void StopSending(string reason, DateTime? resumeAfterUtc, bool keep)
        {
            if (_stop != null) return;
            _stop = reason;
            _stopKeeps = keep;
            _resumeAfterUtc = resumeAfterUtc;
        }

        /// <summary>Counts a batch's records by its outcome and keeps, moves or deletes its file.</summary>
        private void Settle(BatchFile batch, Journal.BatchState outcome, string? uploadId, long? journalBatch = null)
        {
            switch (outcome)
            {
                case Journal.BatchState.Accepted:
                    Summary.Sent += batch.Rows;
                    Summary.Uploads++;
                    break;
                case Journal.BatchState.Deferred:
                case Journal.BatchState.Unknown:
                    Summary.Pending += batch.Rows;
                    _keptBatches++;
                    if (journalBatch is long kept) _keptIds.Add(kept);
                    return; // the file stays for the resume
                default:
                    Summary.Failed += batch.Rows;
                    break;
            }
            if (_options.KeepDirectory != null) Keep(batch, uploadId);
            else BatchFolder.Delete(batch.Path);
        }

        /// <summary>
        /// Moves a batch that went over the wire (accepted or not) to the audit folder: run time, counter and upload id in
        /// the name, so files of different runs never overwrite each other and each can be matched to its upload.
        /// </summary>
        private void Keep(BatchFile batch, string? uploadId)
        {
            string name = _keepPrefix + (string.IsNullOrEmpty(uploadId) ? "refused" : uploadId) + "_" + batch.Name;
            try
            {
                Storage.PrivateFiles.CreateDirectory(_options.KeepDirectory!);
                string target = Path.Combine(_options.KeepDirectory!, name);
                if (File.Exists(target)) File.Delete(target);
                File.Move(batch.Path, target);
                Storage.PrivateFiles.RestrictFile(target);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                _host.Warning($"{batch.Name} could not be kept in {_options.KeepDirectory}: {ex.Message}");
                BatchFolder.Delete(batch.Path);
            }
        }

        public void Dispose()
        {
            // Stopped while writing: the batch was never begun, so its files are not kept.
            _batch?.Dispose();
            _batch = null;
            if (_inFlight is { } pending)
            {
                // Stopped mid-upload: the upload was cancelled with the session's token. Its batch stays Pending in the
                // journal with its file, for a resume to reconcile; without a journal the file goes.
                try { pending.Task.Wait(TimeSpan.FromSeconds(30)); } catch (AggregateException) { }
                if (pending.JournalBatch == null) BatchFolder.Delete(pending.Batch.Path);
                _inFlight = null;
            }
            _folder?.Dispose();
            _folder = null;
        }
    }
}
