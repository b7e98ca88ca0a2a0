using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Orders;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Commands.Commands
{
    /// <summary>
    /// Streams orders from the pipeline into simple_orders files and uploads each to Metrica's CRM API.
    /// Every input order is either in an upload or reported with its reason; -WhatIf sends nothing.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "MetricaConversion", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [Alias("Send-MetricaConversions")]
    [OutputType(typeof(MetricaUpload))]
    public sealed class SendMetricaConversionCommand : MetricaApiCmdlet
    {
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        [Parameter(Mandatory = true)]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get; set; }

        /// <summary>SAVE replaces whole records (the docs' advice when unsure), UPDATE only the fields sent, APPEND adds to lists.</summary>
        [Parameter]
        public MergeMode MergeMode { get; set; } = MergeMode.Save;

        /// <summary>The counter's zone for create_date_time. Absent: read from the counter (time_zone_name).</summary>
        [Parameter]
        public string? CounterTimeZone { get; set; }

        /// <summary>Orders per upload file (files are also cut below Metrica's 1 GB limit).</summary>
        [Parameter]
        [ValidateRange(1, 10_000_000)]
        public int BatchSize { get; set; } = 250_000;

        /// <summary>Poll last_uploadings until each upload is listed with its final validation status.</summary>
        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        public TimeSpan WaitTimeout { get; set; } = TimeSpan.FromMinutes(10);

        [Parameter]
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

        private OrderBatcher? _batcher;
        private ObjectRecords<CrmOrder>? _objects;
        private readonly List<MetricaUpload> _uploads = new List<MetricaUpload>();
        private long _received, _sent, _rejected, _declined, _failedRows;
        /// <summary>Set when Metrica refused the token or the counter: the remaining uploads would all fail the same way.</summary>
        private string? _refused;
        private (System.Threading.Tasks.Task<MetricaUpload> Task, string File, long Rows)? _inFlight;

        private string Activity => $"Send-MetricaConversion to counter {CounterId}";

        private OrderBatcher Batcher()
        {
            if (_batcher != null) return _batcher;
            TimeZoneInfo zone;
            try
            {
                if (CounterTimeZone != null) zone = CrmDateTimeParser.ResolveZone(CounterTimeZone);
                else if (IsWhatIf())
                {
                    zone = TimeZoneInfo.Utc; // nothing is sent, so the counter is not asked
                    WriteVerbose("-WhatIf: the counter's time zone is not read; times would be converted to it when sending.");
                }
                else
                {
                    var counter = Call((client, ct) => client.GetCounterAsync(CounterId, ct));
                    zone = CrmDateTimeParser.ResolveZone(counter.TimeZoneName);
                    WriteVerbose($"Counter {CounterId} time zone: {counter.TimeZoneName}");
                }
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
            return _batcher = new OrderBatcher(zone, BatchSize);
        }

        protected override void ProcessRecord()
        {
            foreach (var item in Items(InputObject)) Process(item);
        }

        private void Process(PSObject input)
        {
            _received++;
            var order = input.BaseObject as CrmOrder ?? FromObject(input);
            if (order == null) return;

            var fault = OrderBatcher.ResolveStatus(order, out var status);
            if (fault == null && !order.HasIdentifier)
                fault = new RowFault("NoIdentifier", "client_ids", null, "at least one ClientID, phone or e-mail");
            if (fault == null && order.Id.Trim().Length == 0)
                fault = new RowFault("MissingValue", "id", null, "an order id (orders without one can be duplicated by Metrica)");
            if (fault != null)
            {
                Reject(new RowRejection(order.SourceFile ?? "pipeline object", order.SourceLine, new[] { fault }), order);
                return;
            }
            var completed = Batcher().Add(order, status);
            if (completed != null)
            {
                if (Batcher().LastSplitReason != null) WriteWarning($"Order id repeats: {Batcher().LastSplitReason}.");
                Upload(completed.Path, completed.Rows);
            }
            if (_inFlight != null && (_received & 1023) == 0) DrainPosted(); // the upload's verbose messages
            if (_received % 10000 == 0)
            {
                Progress(2, Activity, $"{_received:N0} orders received, {_sent:N0} uploaded");
            }
        }

        private CrmOrder? FromObject(PSObject obj)
        {
            _objects ??= new ObjectRecords<CrmOrder>(new OrderNormalizer(new NormalizerOptions(new PhoneNormalizer(), new CrmDateTimeParser(TimeZoneInfo.Local))));
            var (names, values) = PropertyBag.Read(obj);
            var item = _objects.Normalize(names, values, "pipeline object", _received);
            if (item.Rejection != null)
            {
                Reject(item.Rejection, obj);
                return null;
            }
            // A status set by Convert-MetricaStatus on a plain object travels as a MetricaStatus property.
            var mapped = obj.Properties["MetricaStatus"]?.Value;
            if (mapped != null) item.Record!.MetricaStatus = PropertyBag.Text(mapped);
            return item.Record;
        }

        private void Reject(RowRejection rejection, object target)
        {
            _rejected++;
            WriteError(new ErrorRecord(new InvalidDataException(rejection.Message), rejection.Rule, ErrorCategory.InvalidData, target));
        }

        /// <summary>
        /// Starts uploading a completed file. Uploads run one after another, in input order, but each runs while the
        /// next file is being written, so reading, normalising and uploading overlap.
        /// </summary>
        private void Upload(string file, long rows)
        {
            FinishUpload();
            string action = $"Upload {rows} order(s) as simple_orders (merge_mode={MergeMode.ToString().ToUpperInvariant()})";
            if (_refused != null)
            {
                _failedRows += rows;
                WriteVerbose($"Not uploading {rows} order(s): {_refused}");
                return;
            }
            if (!ShouldProcess($"Metrica counter {CounterId}", action))
            {
                _declined += rows;
                return;
            }
            Progress(2, Activity, $"Uploading {rows:N0} orders ({_sent:N0} sent so far)");
            _inFlight = (Start((client, ct) => client.UploadSimpleOrdersAsync(CounterId, file, MergeMode, ct)), file, rows);
        }

        /// <summary>Waits for the upload in flight, if any, and reports it.</summary>
        private void FinishUpload()
        {
            if (_inFlight is not { } pending) return;
            _inFlight = null;
            var (task, file, rows) = pending;
            MetricaUpload upload;
            try
            {
                upload = Run(_ => task);
            }
            catch (MetricaApiException ex)
            {
                _failedRows += rows;
                WriteError(ApiError(ex, CounterId));
                if (ex.StatusCode == System.Net.HttpStatusCode.Unauthorized || ex.StatusCode == System.Net.HttpStatusCode.Forbidden)
                    _refused = $"Metrica refused an earlier upload with HTTP {(int)ex.StatusCode} {ex.ErrorType}";
                return;
            }
            upload.RowsSent = rows;
            upload.File = Path.GetFileName(file);
            if (upload.Failed)
            {
                // HTTP 200 is not success: Metrica refused the file's content.
                _failedRows += rows;
                WriteError(new ErrorRecord(new InvalidDataException(
                    $"Metrica accepted upload {upload.UploadId} but its validation FAILED ({rows} orders, elements_count {upload.ElementsCount}). Nothing of it is counted; check the file's values."),
                    "MetricaUploadValidationFailed", ErrorCategory.InvalidData, upload));
            }
            else _sent += rows;
            WriteVerbose($"Upload {upload.UploadId}: {upload.Status}, {upload.ElementsCount} elements for {rows} rows.");
            if (Wait) _uploads.Add(upload);
            else WriteObject(upload);
        }

        protected override void EndProcessing()
        {
            try
            {
                var last = _batcher?.Complete();
                if (last != null) Upload(last.Path, last.Rows);
                FinishUpload();
                if (Wait) foreach (var upload in _uploads) WriteObject(WaitFor(upload));
            }
            finally
            {
                _batcher?.Dispose();
                Progress(2, Activity, $"{_sent:N0} orders uploaded", completed: true);
            }
            string summary = $"Send-MetricaConversion: received {_received}, uploaded {_sent}, rejected {_rejected}" +
                (_failedRows > 0 ? $", failed uploads {_failedRows}" : "") + (_declined > 0 ? $", not sent (declined or -WhatIf) {_declined}" : "");
            WriteInformation(new InformationRecord(summary, MyInvocation.MyCommand.Name), new[] { "Summary" });
            WriteVerbose(summary);
            base.EndProcessing();
        }

        private MetricaUpload WaitFor(MetricaUpload upload)
        {
            var deadline = DateTime.UtcNow + WaitTimeout;
            while (true)
            {
                MetricaUpload? listed;
                try
                {
                    listed = Call((client, ct) => client.FindUploadAsync(CounterId, upload.UploadId, 5, ct));
                }
                catch (MetricaApiException ex)
                {
                    WriteError(ApiError(ex, upload));
                    return upload;
                }
                if (listed != null && listed.IsFinal)
                {
                    listed.RowsSent = upload.RowsSent;
                    listed.MergeMode = upload.MergeMode;
                    listed.File = upload.File;
                    Progress(3, "Waiting for Metrica", $"Upload {upload.UploadId}: {listed.Status}", completed: true);
                    return listed;
                }
                if (DateTime.UtcNow >= deadline)
                {
                    WriteWarning($"Upload {upload.UploadId} was not listed as final within {WaitTimeout}; check later with Get-MetricaUploadStatus -CounterId {CounterId} -UploadId {upload.UploadId}.");
                    return upload;
                }
                Progress(3, "Waiting for Metrica", $"Upload {upload.UploadId} is not listed as final yet");
                Run(ct => System.Threading.Tasks.Task.Delay(PollInterval, ct));
            }
        }
    }
}
