using System;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Contacts;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Uploads contacts (data/contacts/csv or /json): the CRM's clients with their ids, names, identifiers and custom
    /// attributes. Upload contacts before orders: Metrica links orders only after their contact is known.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "MetricaContact", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [Alias("Send-MetricaContacts", "Send-MetricaClient")]
    // One kind per output: MetricaUpload objects, or with -PassThru only the UploadSummary (the uploads in its UploadResults).
    // [OutputType] cannot name a switch, so both are listed; the help's Outputs say which when.
    [OutputType(typeof(MetricaUpload))]
    [OutputType(typeof(UploadSummary))]
    public sealed class SendMetricaContactCommand : SendCdpCmdlet<CrmClient>
    {
        /// <summary>Csv (a file, the default) or Json (the records inside the request).</summary>
        [Parameter]
        public UploadFormat Format { get; set; } = UploadFormat.Csv;

        protected override UploadKind<CrmClient> CreateKind(bool whatIf) => new ContactsKind(Format, CounterAttributes("CONTACT", whatIf));

        protected override RecordNormalizer<CrmClient> ObjectNormalizer(NormalizerOptions options) => new ClientNormalizer(options);
    }
}
