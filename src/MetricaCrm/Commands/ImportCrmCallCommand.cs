using System.Collections.Generic;
using System.Management.Automation;
using MetricaCrm.Engine.Calls;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.OfflineConversions;

namespace MetricaCrm.Commands
{
    /// <summary>Reads calls from call-tracker exports (CSV) or pipeline objects.</summary>
    [Cmdlet(VerbsData.Import, "CrmCall", DefaultParameterSetName = "Path")]
    [Alias("Import-CrmCalls")]
    [OutputType(typeof(CrmCall))]
    public sealed class ImportCrmCallCommand : ImportCrmRecordCommand<CrmCall>
    {
        protected override string Noun => "Import-CrmCall";

        protected override RecordNormalizer<CrmCall> CreateNormalizer(NormalizerOptions options, IReadOnlyList<string> attributes) => new CallNormalizer(options);

        protected override long LineOf(CrmCall record) => record.SourceLine;
    }
}
