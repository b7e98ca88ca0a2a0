using System;
using System.Collections.Generic;
using System.Management.Automation;
using MetricaCrm.Engine.Contacts;
using MetricaCrm.Engine.Ingest;

namespace MetricaCrm.Commands
{
    /// <summary>Reads CRM contacts from CSV exports or pipeline objects into normalised client objects.</summary>
    [Cmdlet(VerbsData.Import, "CrmClient", DefaultParameterSetName = "Path")]
    [Alias("Import-CrmClients")]
    [OutputType(typeof(CrmClient))]
    public sealed class ImportCrmClientCommand : ImportCrmRecordCommand<CrmClient>
    {
        /// <summary>Columns to carry as custom attributes of the counter (shoe_size, segment), by their header names.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] Attribute { get; set; } = Array.Empty<string>();

        protected override IReadOnlyList<string> Attributes => Attribute;

        protected override string Noun => "Import-CrmClient";

        protected override RecordNormalizer<CrmClient> CreateNormalizer(NormalizerOptions options, IReadOnlyList<string> attributes) => new ClientNormalizer(options, attributes);

        protected override long LineOf(CrmClient record) => record.SourceLine;
    }
}
