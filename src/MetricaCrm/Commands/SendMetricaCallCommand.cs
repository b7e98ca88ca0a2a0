using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Calls;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.OfflineConversions;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Uploads calls (management offline_conversions/upload_calls) and, with -Wait, follows each upload until Metrica
    /// reports it PROCESSED or LINKAGE_FAILURE (an error, except for a file of static calls only, which never link).
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "MetricaCall", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [Alias("Send-MetricaCalls")]
    // One kind per output: MetricaUpload objects, or with -PassThru only the UploadSummary (the uploads in its UploadResults).
    // [OutputType] cannot name a switch, so both are listed; the help's Outputs say which when.
    [OutputType(typeof(MetricaUpload))]
    [OutputType(typeof(UploadSummary))]
    public sealed class SendMetricaCallCommand : SendOfflineCmdlet<CrmCall>
    {
        /// <summary>The name of a goal Metrica creates for calls when the counter has none; ignored when it has one.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateLength(1, 255)]
        public string? NewGoalName { get; set; }

        private CallsKind? _kind;

        protected override UploadKind<CrmCall> CreateKind(bool whatIf) => _kind = new CallsKind(OfflineOptions(), NewGoalName);

        protected override RecordNormalizer<CrmCall> ObjectNormalizer(NormalizerOptions options) => new CallNormalizer(options);

        /// <summary>A counter's first calls upload is refused without new_goal_name: the fix is this cmdlet's -NewGoalName.</summary>
        protected override ErrorRecord ApiError(MetricaApiException ex, object? target)
        {
            var record = base.ApiError(ex, target);
            return ex.ErrorType == "missing_parameter" && ex.ApiMessage.Contains("new_goal_name") ? Hints.Attach(record, "CallsGoalMissing") : record;
        }

        /// <summary>Static calls never link, so a file of them only ends in LINKAGE_FAILURE as a matter of course.</summary>
        protected override bool LinkageFailureIsExpected(MetricaUpload upload) => upload.DynamicCallsQuantity == 0 || _kind?.SentDynamicCalls == false;
    }
}
