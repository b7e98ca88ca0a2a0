using System;
using System.Data.Common;
using System.IO;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Journal;

namespace MetricaCrm.Commands.Commands
{
    /// <summary>Lists the upload journal's batches, newest first, or the ones never completed with -Pending. Local only: no network.</summary>
    [Cmdlet(VerbsCommon.Get, "MetricaUploadJournal", DefaultParameterSetName = AllSet)]
    [OutputType(typeof(JournalBatch), typeof(JournalRecordEntry))]
    public sealed class GetMetricaUploadJournalCommand : MetricaCmdlet
    {
        private const string AllSet = "All";
        private const string PendingSet = "Pending";
        private const string RecordSet = "Record";

        /// <summary>The journal file; default: $env:METRICA_JOURNAL, else the per-user default location.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        [Parameter(ParameterSetName = AllSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = PendingSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = RecordSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long? CounterId { get; set; }

        [Parameter(ParameterSetName = AllSet)]
        [Parameter(ParameterSetName = PendingSet)]
        [Parameter(ParameterSetName = RecordSet, Mandatory = true)]
        public JournalKind? Kind { get; set; }

        /// <summary>Record ids (order ids, contact ids) whose accepted state and kept batches are shown.</summary>
        [Parameter(ParameterSetName = RecordSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[]? RecordId { get; set; }

        [Parameter(ParameterSetName = PendingSet, Mandatory = true)]
        public SwitchParameter Pending { get; set; }

        /// <summary>Batches started at or after this time.</summary>
        [Parameter(ParameterSetName = AllSet)]
        public DateTime? Since { get; set; }

        [Parameter(ParameterSetName = AllSet)]
        [ValidateRange(1, 1_000_000)]
        public int Limit { get; set; } = 100;

        protected override void ProcessRecord()
        {
            string path = JournalLocation.Resolve(this, JournalPath, JournalLocation.ApiFromEnvironment());
            try
            {
                using var journal = UploadJournal.Open(path);
                if (RecordId != null)
                {
                    foreach (var id in RecordId)
                    {
                        var history = journal.RecordHistory(CounterId!.Value, Kind!.Value, id);
                        if (history.Count == 0) WriteVerbose($"The journal has nothing of {Kind} record '{id}' for counter {CounterId}: it was never accepted nor kept.");
                        foreach (var entry in history) WriteObject(entry);
                    }
                    return;
                }
                var batches = Pending.IsPresent
                    ? journal.PendingBatches(CounterId!.Value, Kind)
                    : journal.Batches(CounterId, Kind, Since?.ToUniversalTime(), Limit);
                foreach (var batch in batches) WriteObject(batch);
            }
            catch (UploadJournalUnavailableException ex)
            {
                ThrowTerminatingError(JournalErrors.Unavailable(ex));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidOperationException || ex is DbException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, JournalErrors.ErrorId, ErrorCategory.OpenError, path));
            }
        }
    }
}
