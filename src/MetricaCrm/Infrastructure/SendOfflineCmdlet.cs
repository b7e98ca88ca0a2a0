using System;
using System.Management.Automation;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.OfflineConversions;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>What the offline conversions and calls Send cmdlets share: the comment, the maximum age, LINKAGE_FAILURE.</summary>
    public abstract class SendOfflineCmdlet<TEvent> : SendMetricaCmdlet<TEvent> where TEvent : OfflineEvent
    {
        /// <summary>Stamped on the upload in Metrica (at most 255 digits, Latin and Cyrillic letters and spaces), e.g. a run id.</summary>
        [Parameter]
        [ValidateLength(1, 255)]
        public string? Comment { get; set; }

        /// <summary>Events older than this are skipped; without it they are sent and counted in one warning (they will not link).</summary>
        [Parameter]
        [ValidatePositiveTimeSpan]
        [TimeSpanArgument(BareNumberIsDays = true)]
        public TimeSpan? MaxAge { get; set; }

        protected OfflineOptions OfflineOptions()
        {
            var problem = OfflineKind<TEvent>.CheckComment(Comment);
            if (problem != null)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(problem + " Nothing was sent."), "InvalidComment", ErrorCategory.InvalidArgument, Comment));
            return new OfflineOptions { Comment = Comment, MaxAge = MaxAge };
        }

        protected virtual bool LinkageFailureIsExpected(MetricaUpload upload) => false;

        protected override MetricaUpload Finished(MetricaUpload upload)
        {
            if (!upload.LinkageFailed) return upload;
            if (LinkageFailureIsExpected(upload))
                WriteWarning($"Upload {upload.UploadId}: LINKAGE_FAILURE, as expected for static calls only: they never link to sessions but show in call reports.");
            else
                WriteError(new ErrorRecord(new InvalidOperationException(
                    $"Upload {upload.UploadId}: LINKAGE_FAILURE: Metrica could not link a single one of its {upload.SourceQuantity} rows to a visitor " +
                    $"(unknown visitors {upload.UserNotFoundQuantity}, unknown goals {upload.GoalNotFoundQuantity}). Check the visitor ids and that the events are within 21 days of a visit."),
                    "MetricaLinkageFailure", ErrorCategory.InvalidResult, upload));
            return upload;
        }
    }
}
