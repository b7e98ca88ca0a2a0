using System;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.OfflineConversions;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Uploads offline conversions (management offline_conversions/upload) and, with -Wait, follows each upload until
    /// Metrica has linked it (PROCESSED) or could link nothing (LINKAGE_FAILURE, an error).
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "MetricaOfflineConversion", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [Alias("Send-MetricaOfflineConversions")]
    // One kind per output: MetricaUpload objects, or with -PassThru only the UploadSummary (the uploads in its UploadResults).
    // [OutputType] cannot name a switch, so both are listed; the help's Outputs say which when.
    [OutputType(typeof(MetricaUpload))]
    [OutputType(typeof(UploadSummary))]
    public sealed class SendMetricaOfflineConversionCommand : SendOfflineCmdlet<CrmConversion>
    {
        protected override UploadKind<CrmConversion> CreateKind(bool whatIf)
        {
            if (whatIf) WriteVerbose("-WhatIf: the counter's goals are not read, so Target values are not checked against them.");
            var goals = whatIf ? null : Call((client, ct) => client.GetGoalsAsync(CounterId, ct));
            return new OfflineConversionsKind(OfflineOptions(), goals);
        }

        protected override RecordNormalizer<CrmConversion> ObjectNormalizer(NormalizerOptions options) => new ConversionNormalizer(options);
    }
}
