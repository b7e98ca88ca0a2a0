using System;
using System.Collections.Generic;
using System.Data.Common;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Settles the batches the upload journal keeps for a counter: finds uploads of unknown outcome in the counter's
    /// uploads, sends again what Metrica does not have (never an APPEND blindly), or with -Discard gives them up.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Resume, "MetricaUpload", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(JournalBatch))]
    public sealed class ResumeMetricaUploadCommand : JournalCmdlet, IBatchHost
    {
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get => CounterIdValue; set => CounterIdValue = value; }

        /// <summary>Only the batches of one upload kind.</summary>
        [Parameter]
        public JournalKind? Kind { get; set; }

        /// <summary>Only these batches (Get-MetricaUploadJournal -Pending | Resume-MetricaUpload binds their Id).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        [ValidateRange(1, long.MaxValue)]
        [ArgumentCompleter(typeof(BatchIdCompleter))]
        public long[]? BatchId { get; set; }

        /// <summary>How long after it began an unlisted APPEND batch of unknown outcome counts as not applied.</summary>
        [Parameter]
        [ValidatePositiveTimeSpan]
        [TimeSpanArgument]
        public TimeSpan ListingGrace { get; set; } = new ResumeOptions().ListingGrace;

        /// <summary>Gives the kept batches up: marked Failed, files deleted, nothing sent.</summary>
        [Parameter]
        public SwitchParameter Discard { get; set; }

        private readonly HashSet<long> _batchIds = new HashSet<long>();
        private long? _counter;

        // Resume writes the journal even under -WhatIf (nothing is sent, so nothing changes but what is looked up).
        protected override bool UsesJournal => true;

        protected override void ProcessRecord()
        {
            RequireCounterId();
            if (_counter != null && _counter != CounterId)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Resume the batches of one counter at a time."), "ResumeOneCounterAtATime", ErrorCategory.InvalidArgument, CounterId));
            _counter = CounterId;
            if (BatchId != null) _batchIds.UnionWith(BatchId);
        }

        protected override void EndProcessing()
        {
            if (_counter == null) return;
            try
            {
                using var journal = OpenJournal();
                var resume = new BatchResume(journal, this, () => Client, new ResumeOptions
                {
                    CounterId = _counter.Value, Kind = Kind, BatchIds = _batchIds.Count > 0 ? _batchIds : null, ListingGrace = ListingGrace, Discard = Discard,
                }, StopToken);
                var batches = resume.Run();
                BatchResume.RemoveLeftovers(journal, journal.BatchesFolder);
                if (batches.Count == 0) WriteVerbose($"The journal keeps no unsettled batches of counter {_counter}.");
                foreach (var batch in batches) WriteObject(batch);
            }
            catch (MetricaApiException ex)
            {
                ThrowTerminatingError(ApiError(ex, _counter));
            }
            catch (UploadJournalUnavailableException ex)
            {
                ThrowTerminatingError(JournalErrors.Unavailable(ex));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is DbException)
            {
                // Failing after the journal opened (a disk that filled up): the same id, with the file it concerns.
                ThrowTerminatingError(new ErrorRecord(ex, JournalErrors.ErrorId, ErrorCategory.OpenError, ResolveJournalPath()));
            }
            finally
            {
                Progress(2, "Resume-MetricaUpload", "done", completed: true);
            }
        }

        bool IBatchHost.Approve(string target, string action) => ShouldProcess(target, action);

        T IBatchHost.Await<T>(Task<T> task) => Run(_ => task);

        void IBatchHost.Uploaded(MetricaUpload upload, BatchFile batch) =>
            WriteVerbose($"Upload {upload.UploadId}: {upload.Status}, {upload.ElementsCount ?? upload.SourceQuantity} elements for {batch.Rows} rows.");

        void IBatchHost.UploadFailed(MetricaApiException error, BatchFile batch, BatchState outcome) => WriteError(ApiError(error, batch.Name));

        void IBatchHost.Warning(string message) => WriteWarning(message);

        void IBatchHost.Progress(string status) => Progress(2, "Resume-MetricaUpload", status);
    }
}
