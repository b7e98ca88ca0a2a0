using System;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Orders;
using MetricaCrm.Engine.SimpleOrders;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Streams orders into simple_orders files and uploads each to Metrica's CRM API.
    /// Every input order is either in an upload or reported with its reason; -WhatIf sends nothing.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "MetricaConversion", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [Alias("Send-MetricaConversions")]
    // One kind per output: MetricaUpload objects, or with -PassThru only the UploadSummary (the uploads in its UploadResults).
    // [OutputType] cannot name a switch, so both are listed; the help's Outputs say which when.
    [OutputType(typeof(MetricaUpload))]
    [OutputType(typeof(UploadSummary))]
    public sealed class SendMetricaConversionCommand : SendCdpCmdlet<CrmOrder>
    {
        /// <summary>Orders created longer ago than this are skipped; without it they are sent and counted in one warning.</summary>
        [Parameter]
        [ValidatePositiveTimeSpan]
        [TimeSpanArgument(BareNumberIsDays = true)]
        public TimeSpan? MaxAge { get; set; }

        protected override UploadKind<CrmOrder> CreateKind(bool whatIf)
        {
            if (whatIf) WriteVerbose("-WhatIf: the counter's goals are not read; statuses that are not status types are not checked against them.");
            // A status that is neither a type nor one of the counter's JS goals is refused before anything is sent.
            return new SimpleOrdersKind(CounterGoals(whatIf), new OrderWindows(MaxAge));
        }

        protected override RecordNormalizer<CrmOrder> ObjectNormalizer(NormalizerOptions options) => new OrderNormalizer(options);

        protected override void ReadAlso(CrmOrder record, PSObject input) => OrderObjects.ReadMetricaStatus(record, input);
    }
}
