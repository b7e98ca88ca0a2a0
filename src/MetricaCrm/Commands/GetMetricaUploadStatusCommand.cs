using System;
using System.Linq;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.OfflineConversions;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Reads the counter's uploads, newest first, or the ones named by -UploadId. Without -Kind: the CRM uploads
    /// (last_uploadings). -Kind OfflineConversion or Call reads those uploads with their processing status and quantities.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "MetricaUploadStatus")]
    [OutputType(typeof(MetricaUpload))]
    public sealed class GetMetricaUploadStatusCommand : MetricaApiCmdlet
    {
        /// <summary>Absent: the counter of Connect-Metrica.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get => CounterIdValue; set => CounterIdValue = value; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(UploadIdCompleter))]
        public string[]? UploadId { get; set; }

        /// <summary>SimpleOrders, Contacts, Orders, OfflineConversion or Call (the Kind of a piped upload also binds).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateUploadKind]
        [ArgumentCompleter(typeof(UploadKindCompleter))]
        public string? Kind { get; set; }

        [Parameter]
        [ValidateRange(1, 1000)]
        public int Limit { get; set; } = 10;

        /// <summary>How many pages of 1000 to search back for -UploadId among CRM uploads.</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int MaxPages { get; set; } = 10;

        /// <summary>The kind as Metrica's paths name it.</summary>
        private string? KindName => UploadKindNames.PathName(Kind);

        protected override void ProcessRecord()
        {
            try
            {
                string? kind = KindName;
                if (kind == OfflinePaths.Conversions || kind == OfflinePaths.Calls) ReadOffline(kind);
                else ReadCrm(kind);
            }
            catch (MetricaApiException ex)
            {
                WriteError(ApiError(ex, CounterId));
            }
        }

        private void ReadOffline(string kind)
        {
            if (UploadId == null || UploadId.Length == 0)
            {
                foreach (var u in Call((client, ct) => client.ListOfflineUploadsAsync(CounterId, kind, OfflinePaths.ListPath(kind), Limit, ct))) WriteObject(UploadView.Of(u));
                return;
            }
            foreach (var id in UploadId)
            {
                var found = Call((client, ct) => client.GetOfflineUploadAsync(CounterId, kind, OfflinePaths.UploadPath(kind, id), ct));
                if (found != null) WriteObject(UploadView.Of(found));
                else NotFound(id, $"Counter {CounterId} has no {kind} upload '{id}'.");
            }
        }

        private void ReadCrm(string? kind)
        {
            if (UploadId == null || UploadId.Length == 0)
            {
                var uploads = Call((client, ct) => client.GetLastUploadingsAsync(CounterId, Limit, null, ct));
                foreach (var u in uploads.Where(u => kind == null || Engine.Upload.UploadRequest.MayBeOfKind(kind, u))) WriteObject(u);
                return;
            }
            foreach (var id in UploadId)
            {
                var found = Call((client, ct) => client.FindUploadAsync(CounterId, id, MaxPages, ct));
                if (found != null) WriteObject(UploadView.Of(found));
                else NotFound(id, $"Counter {CounterId} lists no upload '{id}' in its last {MaxPages * 1000} uploads.");
            }
        }

        private void NotFound(string id, string message) =>
            WriteError(new ErrorRecord(new ItemNotFoundException(message), "UploadNotFound", ErrorCategory.ObjectNotFound, id));
    }
}
