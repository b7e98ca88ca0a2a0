using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// What every Send cmdlet shares: parameters, confirmation, the upload session of the engine, errors, progress,
    /// -Wait and the summary. A Send cmdlet only names its upload kind and how a plain pipeline object becomes a record.
    /// </summary>
    public abstract class SendMetricaCmdlet<TRecord> : JournalCmdlet, IUploadHost where TRecord : class
    {
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>Absent: the counter of Connect-Metrica.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get => CounterIdValue; set => CounterIdValue = value; }

        /// <summary>The counter's zone for date-times. Absent: read from the counter (time_zone_name).</summary>
        [Parameter]
        [ValidateTimeZone]
        [ArgumentCompleter(typeof(TimeZoneCompleter))]
        public string? CounterTimeZone { get; set; }

        /// <summary>Records per upload (uploads are also cut below Metrica's 1 GB limit).</summary>
        [Parameter]
        [ValidateRange(1, 10_000_000)]
        public int BatchSize { get; set; } = 250_000;

        /// <summary>Poll last_uploadings until each upload is listed with its final validation status.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        /// <summary>How long -Wait waits. Default: 10 minutes for CRM uploads, 3 hours for offline conversions and calls.</summary>
        [Parameter]
        [ValidatePositiveTimeSpan]
        [TimeSpanArgument]
        public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromMinutes(10);

        [Parameter]
        [ValidatePositiveTimeSpan]
        [TimeSpanArgument]
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>Keeps no journal: every record is sent, nothing is remembered.</summary>
        [Parameter]
        public SwitchParameter NoJournal { get; set; }

        /// <summary>Sends every record, also those the journal says Metrica already has with exactly these values.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>How long after it began an unlisted APPEND batch of unknown outcome counts as not applied, when earlier batches are settled.</summary>
        [Parameter]
        [ValidatePositiveTimeSpan]
        [TimeSpanArgument]
        public TimeSpan ListingGrace { get; set; } = new ResumeOptions().ListingGrace;

        /// <summary>Write only the UploadSummary to the output, at the end, with the uploads in its UploadResults: one kind
        /// of object per output, so Export-Csv and Where-Object never see rows of the other kind.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>A folder where the uploaded batch files are moved for audit instead of being deleted.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? KeepUploadFile { get; set; }

        private UploadSession<TRecord>? _session;
        private MetricaCrm.Engine.Journal.UploadJournal? _journal;
        private long _objectNumber;
        /// <summary>The summary of a send that could not start; every record it received is NotSent.</summary>
        private UploadSummary? _cannotStart;

        /// <summary>Names of the counter's attributes for an entity, or null under -WhatIf (nothing is sent, so nothing is asked).</summary>
        protected ISet<string>? CounterAttributes(string entityType, bool whatIf)
        {
            if (whatIf) return null;
            var attributes = Call((client, ct) => client.GetAttributesAsync(CounterId, entityType, ct));
            return new HashSet<string>(System.Linq.Enumerable.Select(attributes, a => a.Name), StringComparer.Ordinal);
        }

        /// <summary>The counter's JS goal identifiers, or null under -WhatIf.</summary>
        protected ISet<string>? CounterGoals(bool whatIf)
        {
            if (whatIf) return null;
            var goals = Call((client, ct) => client.GetGoalsAsync(CounterId, ct));
            return new HashSet<string>(System.Linq.Enumerable.SelectMany(goals, g => g.Identifiers), StringComparer.Ordinal);
        }

        /// <summary>The merge mode of CRM uploads (see <see cref="SendCdpCmdlet{TRecord}"/>); offline uploads have none.</summary>
        protected virtual MergeMode Mode => MergeMode.Save;

        /// <summary>The kind this cmdlet sends; called once, before the first record, and may ask the counter.</summary>
        protected abstract UploadKind<TRecord> CreateKind(bool whatIf);

        /// <summary>A record from a pipeline object that is not one already (Import-Csv rows, hashtables), or a rejection.</summary>
        private ImportItem<TRecord> FromObject(PSObject input, long number)
        {
            // Read with the Import cmdlets' column and value rules; date-times without an offset in this machine's zone.
            _objects ??= new ObjectRecords<TRecord>(ObjectNormalizer(new NormalizerOptions(new PhoneNormalizer(), new CrmDateTimeParser(TimeZoneInfo.Local))));
            var (names, values) = PropertyBag.Read(input, out var faults);
            var item = _objects.Normalize(names, values, "pipeline object", number, faults);
            if (item.Dropped != null) WriteWarning(item.Dropped.Message);
            if (item.Record != null) ReadAlso(item.Record, input);
            return item;
        }

        private ObjectRecords<TRecord>? _objects;

        /// <summary>How this cmdlet's records are read from plain pipeline objects (the Import cmdlet's normaliser).</summary>
        protected abstract RecordNormalizer<TRecord> ObjectNormalizer(NormalizerOptions options);

        /// <summary>What a plain object carries beyond the import's columns (an order's MetricaStatus).</summary>
        protected virtual void ReadAlso(TRecord record, PSObject input) { }

        private string Activity => $"{MyInvocation.MyCommand.Name} to counter {CounterId}";

        private UploadSession<TRecord> Session()
        {
            if (_session != null) return _session;
            RequireCounterId();
            bool whatIf = IsWhatIf();
            try
            {
                var kind = CreateKind(whatIf);
                var options = new UploadSessionOptions
                {
                    CounterId = CounterId, MergeMode = Mode, BatchSize = BatchSize, SendUnchanged = Force, ListingGrace = ListingGrace,
                    KeepDirectory = KeepUploadFile == null ? null : GetUnresolvedProviderPathFromPSPath(KeepUploadFile),
                };
                // -WhatIf writes nothing, the journal included; it reads the journal, to say what a send would really upload.
                string? refused = null;
                if (UsesJournal)
                {
                    options.Journal = _journal = OpenJournal();
                    options.Directory = _journal.BatchesFolder;
                    refused = SettleKept(kind);
                    BatchResume.RemoveLeftovers(_journal, options.Directory);
                }
                else if (whatIf && !NoJournal)
                {
                    options.Journal = _journal = OpenJournalToPreview();
                    if (_journal.PendingBatches(CounterId, kind.JournalKind) is { Count: > 0 } kept)
                        WriteWarning($"{kept.Count} earlier {kind.Name} upload(s) of counter {CounterId} ({System.Linq.Enumerable.Sum(kept, b => b.Rows)} records) are kept in the upload journal: " +
                            $"a send settles them before sending anything new, and sends nothing if it cannot (Resume-MetricaUpload -CounterId {CounterId}).");
                }
                _session = new UploadSession<TRecord>(kind, options, this, () => Client, () => CounterZone(whatIf),
                    MyInvocation.MyCommand.Name, StopToken);
                // Nothing is sent, and the summary still says so: every record NotSent, with the reason.
                if (refused != null) _session.Refuse(refused);
            }
            catch (MetricaApiException ex)
            {
                ThrowTerminatingError(ApiError(ex, CounterId));
            }
            return _session!;
        }

        protected override bool UsesJournal => !NoJournal && base.UsesJournal;

        /// <summary>
        /// Settles the batches of this counter and kind that earlier sends kept, before anything new is sent: a kept
        /// batch holds older values, and sending it after newer ones would put the old values back. A batch that
        /// another running send owns is waited for (up to -WaitTimeout); what cannot be settled is an error, and the
        /// reason this send then sends nothing (its summary counts every record NotSent).
        /// </summary>
        private string? SettleKept(UploadKind<TRecord> kind)
        {
            if (_journal!.PendingBatches(CounterId, kind.JournalKind).Count == 0) return null;
            WriteVerbose($"Settling the {kind.Name} batches earlier sends kept for counter {CounterId}.");
            var resume = new BatchResume(_journal, this, () => Client, new ResumeOptions { CounterId = CounterId, Kind = kind.JournalKind, ListingGrace = ListingGrace }, StopToken);
            resume.Run();
            var deadline = DateTime.UtcNow + WaitTimeout;
            while (resume.OwnedElsewhere.Count > 0 && DateTime.UtcNow < deadline)
            {
                Progress(2, Activity, $"waiting for another running send of counter {CounterId} to finish its batch(es) " +
                    string.Join(", ", System.Linq.Enumerable.Select(resume.OwnedElsewhere, b => b.Id)));
                Run(ct => Task.Delay(TimeSpan.FromSeconds(1), ct));
                resume.Run();
            }
            var left = _journal.PendingBatches(CounterId, kind.JournalKind);
            if (left.Count == 0) return null;
            string batches = string.Join("; ", System.Linq.Enumerable.Select(left, b => $"batch {b.Id} {b.State}: {b.Message}"));
            long rows = System.Linq.Enumerable.Sum(left, b => b.Rows);
            bool elsewhere = resume.OwnedElsewhere.Count == left.Count;
            string reason = elsewhere
                ? $"{left.Count} earlier {kind.Name} upload(s) of counter {CounterId} ({rows} records) belong to another send that is still running ({batches})"
                : $"{left.Count} earlier {kind.Name} upload(s) of counter {CounterId} ({rows} records) are not settled ({batches})";
            WriteError(new ErrorRecord(new InvalidOperationException(
                    reason + ". Nothing new is sent before them, so that older values never overwrite newer ones."),
                elsewhere ? "MetricaUploadsInFlightElsewhere" : "MetricaUploadsPending", ErrorCategory.ResourceBusy, CounterId)
            {
                ErrorDetails = elsewhere
                    ? new ErrorDetails($"Another send of counter {CounterId} is still running and owns those batches (waited {WaitTimeout}). Let it finish, then send again; its batches are never given up while it runs.")
                    {
                        RecommendedAction = "Run this send again after the other one has finished.",
                    }
                    : new ErrorDetails($"Earlier uploads are pending. Settle them with Resume-MetricaUpload -CounterId {CounterId} (or give them up with -Discard), then send again.")
                    {
                        RecommendedAction = $"Resume-MetricaUpload -CounterId {CounterId}",
                    },
            });
            return reason;
        }

        private TimeZoneInfo CounterZone(bool whatIf)
        {
            try
            {
                if (CounterTimeZone != null) return CrmDateTimeParser.ResolveZone(CounterTimeZone);
                if (whatIf)
                {
                    WriteVerbose("-WhatIf: the counter's time zone is not read; times would be converted to it when sending.");
                    return TimeZoneInfo.Utc;
                }
                var counter = Call((client, ct) => client.GetCounterAsync(CounterId, ct));
                WriteVerbose($"Counter {CounterId} time zone: {counter.TimeZoneName}");
                return CrmDateTimeParser.ResolveZone(counter.TimeZoneName);
            }
            catch (MetricaApiException ex)
            {
                ThrowTerminatingError(ApiError(ex, CounterId));
                throw;
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidTimeZone", ErrorCategory.InvalidArgument, CounterTimeZone));
                throw;
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                AddAll();
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException(); // Ctrl+C while records are read
            }
            catch (MetricaCrm.Engine.Statuses.StatusMapNotForCounterException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "StatusMapNotForCounter", ErrorCategory.InvalidData, ex.Entries)
                {
                    ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = $"Correct the map: a goal is named by its JS identifier (Test-MetricaConnection -CounterId {CounterId} checks the goals)." },
                });
            }
            catch (UnknownAttributeException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "UnknownAttribute", ErrorCategory.ObjectNotFound, ex.Names)
                {
                    ErrorDetails = new ErrorDetails($"Nothing more is sent: {ex.Message} Create it first: Set-MetricaAttribute -CounterId {CounterId} -EntityType {ex.EntityType} -Name {string.Join(",", ex.Names)}.")
                    {
                        RecommendedAction = $"Set-MetricaAttribute -CounterId {CounterId} -EntityType {ex.EntityType} -Name {string.Join(",", ex.Names)}",
                    },
                });
            }
        }

        private void AddAll()
        {
            foreach (var item in Items(InputObject))
            {
                _objectNumber++;
                if (_cannotStart != null)
                {
                    _cannotStart.AddNotSent(1);
                    continue;
                }
                UploadSession<TRecord> session;
                try
                {
                    session = Session();
                }
                catch (MetricaCrm.Engine.Journal.DailyBudgetSpentException ex)
                {
                    // Spent before the send could ask the counter what it needs: nothing is sent, and the summary says so.
                    WriteError(new ErrorRecord(ex, "MetricaDailyBudgetSpent", ErrorCategory.QuotaExceeded, CounterId)
                    {
                        ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = $"Send again after {ex.ResumeAtUtc:yyyy-MM-dd HH:mm} UTC." },
                    });
                    _cannotStart = new UploadSummary(MyInvocation.MyCommand.Name);
                    _cannotStart.AddNotSent(1);
                    continue;
                }
                if (item.BaseObject is TRecord record)
                {
                    session.Add(record);
                    continue;
                }
                var read = FromObject(item, _objectNumber);
                if (read.Record != null) session.Add(read.Record);
                else session.Reject(read.Rejection!, item);
            }
            DrainPosted(); // verbose messages of the upload in flight
        }

        protected override void EndProcessing()
        {
            try
            {
                _session?.Complete();
                // A dry run's last word: what the send would upload in all, against the journal (the batches said their part).
                if (_session != null && IsWhatIf()) ShouldProcess(_session.Preview(), null, null);
                if (Wait && _session != null)
                {
                    var finals = new List<MetricaUpload>();
                    foreach (var upload in _session.Accepted)
                    {
                        finals.Add(WaitFor(upload));
                        Report(finals[finals.Count - 1]);
                    }
                    _session.Summary.Linkage = Linkage(finals);
                }
                else if (_session != null) _session.Summary.Linkage = Linkage(null);
            }
            finally
            {
                Progress(2, Activity, $"{_session?.Summary.Sent ?? 0:N0} records uploaded", completed: true);
            }
            var summary = _session?.Summary ?? _cannotStart ?? new UploadSummary(MyInvocation.MyCommand.Name);
            foreach (var upload in _reported) summary.AddUploadResult(upload);
            WriteInformation(summary, new[] { "Summary" });
            WriteVerbose(summary.ToString());
            if (PassThru) WriteObject(summary);
        }

        /// <summary>An upload as the caller gets it: on the output, or with -PassThru only in the summary's UploadResults.</summary>
        private void Report(MetricaUpload upload)
        {
            _reported.Add(upload);
            if (!PassThru) WriteObject(UploadView.Of(upload));
        }

        /// <summary>Every upload reported, those of earlier batches this send settled first included (before its session exists).</summary>
        private readonly List<MetricaUpload> _reported = new List<MetricaUpload>();

        // ---- IUploadHost: called by the session on this (the pipeline) thread ----

        bool IBatchHost.Approve(string target, string action) => ShouldProcess(target, action);

        T IBatchHost.Await<T>(Task<T> task) => Run(_ => task);

        void IUploadHost.Rejected(RowRejection rejection, object record) =>
            WriteError(Hints.Attach(new ErrorRecord(new InvalidDataException(rejection.Message), rejection.Rule, ErrorCategory.InvalidData, record), rejection.Rule));

        void IBatchHost.Uploaded(MetricaUpload upload, BatchFile batch)
        {
            WriteVerbose($"Upload {upload.UploadId}: {upload.Status}, {upload.ElementsCount} elements for {batch.Rows} rows.");
            if (upload.Failed)
                WriteError(new ErrorRecord(new InvalidDataException(
                    $"Metrica accepted upload {upload.UploadId} but its validation FAILED ({batch.Rows} records, elements_count {upload.ElementsCount}). Nothing of it is counted; check the file's values."),
                    "MetricaUploadValidationFailed", ErrorCategory.InvalidData, upload));
            if (!Wait || upload.Failed) Report(upload);
        }

        void IBatchHost.UploadFailed(MetricaApiException error, BatchFile batch, MetricaCrm.Engine.Journal.BatchState outcome) => WriteError(ApiError(error, CounterId));

        void IBatchHost.Warning(string message) => WriteWarning(message);

        void IUploadHost.Skipped(object record, string reason) => WriteVerbose($"Skipped {record}: {reason}.");

        void IUploadHost.Changed(object record, string description) => WriteVerbose(description + ".");

        void IBatchHost.Progress(string status) => Progress(2, Activity, status);

        /// <summary>Polls until Metrica reports the upload as final, with a growing interval up to the kind's maximum.</summary>
        private MetricaUpload WaitFor(MetricaUpload upload)
        {
            var kind = _session!.Kind;
            var timeout = MyInvocation.BoundParameters.ContainsKey(nameof(WaitTimeout)) ? WaitTimeout : kind.DefaultWaitTimeout;
            var deadline = DateTime.UtcNow + timeout;
            var interval = PollInterval;
            while (true)
            {
                MetricaUpload? current;
                try
                {
                    current = Call((client, ct) => kind.FindAsync(client, CounterId, upload.UploadId, ct));
                }
                catch (MetricaApiException ex)
                {
                    WriteError(ApiError(ex, upload));
                    return upload;
                }
                if (current != null && current.IsFinal)
                {
                    Progress(3, "Waiting for Metrica", $"Upload {upload.UploadId}: {current.Status}", completed: true);
                    return Finished(current.WithSent(upload));
                }
                if (DateTime.UtcNow >= deadline)
                {
                    WriteWarning($"Upload {upload.UploadId} was not final within {timeout} (last status: {current?.Status ?? "not listed"}); check later with Get-MetricaUploadStatus -CounterId {CounterId} -Kind {kind.Name} -UploadId {upload.UploadId}.");
                    return current?.WithSent(upload) ?? upload;
                }
                Progress(3, "Waiting for Metrica", $"Upload {upload.UploadId}: {current?.Status ?? "not listed yet"}");
                Run(ct => Task.Delay(interval, ct));
                interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * 1.5), Math.Max(PollInterval.Ticks, kind.MaxPollInterval.Ticks)));
            }
        }

        /// <summary>The send's linked share against the journal's last final uploads; null <paramref name="finals"/>: not followed (no -Wait).</summary>
        private LinkedShare Linkage(IReadOnlyList<MetricaUpload>? finals)
        {
            var kind = _session!.Kind;
            if (!kind.ReportsLinkage) return LinkedShare.NotReportedFor(kind.Name);
            if (finals == null) return LinkedShare.NotFollowed(_session.Accepted.Count);
            return LinkedShare.OfSend(_journal, CounterId, kind.JournalKind, finals);
        }

        /// <summary>Reports a final status that is a failure; a derived cmdlet may judge its own kind's statuses.</summary>
        protected virtual MetricaUpload Finished(MetricaUpload upload) => upload;

        protected override void DisposeResources()
        {
            _session?.Dispose();
            _journal?.Dispose();
        }
    }

    /// <summary>A Send cmdlet of the CRM (CDP) API, whose uploads merge into stored records by a merge mode.</summary>
    public abstract class SendCdpCmdlet<TRecord> : SendMetricaCmdlet<TRecord> where TRecord : class
    {
        /// <summary>SAVE replaces whole records (the docs' advice when unsure), UPDATE only the fields sent, APPEND adds to lists.</summary>
        [Parameter]
        public MergeMode MergeMode { get; set; } = MergeMode.Save;

        protected override MergeMode Mode => MergeMode;
    }
}
