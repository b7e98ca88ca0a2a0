using System.Collections.Generic;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Commands
{
    /// <summary>Reads the counter's CRM uploads (last_uploadings), newest first, or the ones named by -UploadId.</summary>
    [Cmdlet(VerbsCommon.Get, "MetricaUploadStatus")]
    [OutputType(typeof(MetricaUpload))]
    public sealed class GetMetricaUploadStatusCommand : MetricaApiCmdlet
    {
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string[]? UploadId { get; set; }

        [Parameter]
        [ValidateRange(1, 1000)]
        public int Limit { get; set; } = 10;

        /// <summary>How many pages of 1000 to search back for -UploadId.</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int MaxPages { get; set; } = 10;

        protected override void ProcessRecord()
        {
            try
            {
                if (UploadId == null || UploadId.Length == 0)
                {
                    foreach (var u in Call((client, ct) => client.GetLastUploadingsAsync(CounterId, Limit, null, ct))) WriteObject(u);
                    return;
                }
                foreach (var id in UploadId)
                {
                    var found = Call((client, ct) => client.FindUploadAsync(CounterId, id, MaxPages, ct));
                    if (found != null) WriteObject(found);
                    else WriteError(new ErrorRecord(new ItemNotFoundException($"Counter {CounterId} lists no upload '{id}' in its last {MaxPages * 1000} uploads."),
                        "UploadNotFound", ErrorCategory.ObjectNotFound, id));
                }
            }
            catch (MetricaApiException ex)
            {
                WriteError(ApiError(ex, CounterId));
            }
        }
    }
}
