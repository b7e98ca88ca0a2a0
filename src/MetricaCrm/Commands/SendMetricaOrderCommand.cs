using System;
using System.Linq;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Orders;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Uploads detailed orders (data/orders/csv or /json): orders of contacts (client_uniq_id), with statuses of the
    /// counter's schema, products, goals and custom attributes. Send the contacts first (Send-MetricaContact).
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "MetricaOrder", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [Alias("Send-MetricaOrders")]
    // One kind per output: MetricaUpload objects, or with -PassThru only the UploadSummary (the uploads in its UploadResults).
    // [OutputType] cannot name a switch, so both are listed; the help's Outputs say which when.
    [OutputType(typeof(MetricaUpload))]
    [OutputType(typeof(UploadSummary))]
    public sealed class SendMetricaOrderCommand : SendCdpCmdlet<CrmOrder>
    {
        /// <summary>Csv (a file, the default) or Json (the records inside the request).</summary>
        [Parameter]
        public UploadFormat Format { get; set; } = UploadFormat.Csv;

        /// <summary>Orders created longer ago than this are skipped; without it they are sent and counted in one warning.</summary>
        [Parameter]
        [ValidatePositiveTimeSpan]
        [TimeSpanArgument(BareNumberIsDays = true)]
        public TimeSpan? MaxAge { get; set; }

        protected override UploadKind<CrmOrder> CreateKind(bool whatIf)
        {
            System.Collections.Generic.ISet<string>? statuses = null;
            if (!whatIf)
            {
                // Statuses that are not types must be ids of the counter's status schema or its JS goals.
                var schema = Call((client, ct) => client.GetOrderStatusesAsync(CounterId, ct));
                statuses = CounterGoals(whatIf)!;
                foreach (var s in schema) statuses.Add(s.Id);
            }
            else WriteVerbose("-WhatIf: the counter's statuses, goals and attributes are not read, so they are not checked.");
            return new OrdersKind(Format, statuses, CounterAttributes("ORDER", whatIf), new OrderWindows(MaxAge));
        }

        protected override RecordNormalizer<CrmOrder> ObjectNormalizer(NormalizerOptions options) => new OrderNormalizer(options);

        protected override void ReadAlso(CrmOrder record, PSObject input) => OrderObjects.ReadMetricaStatus(record, input);
    }
}
