using System.Collections.Generic;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.OfflineConversions;

namespace MetricaCrm.Commands
{
    /// <summary>Reads offline conversions (shop sales, phone orders) from CSV exports or pipeline objects.</summary>
    [Cmdlet(VerbsData.Import, "CrmConversion", DefaultParameterSetName = "Path")]
    [Alias("Import-CrmConversions")]
    [OutputType(typeof(CrmConversion))]
    public sealed class ImportCrmConversionCommand : ImportCrmRecordCommand<CrmConversion>
    {
        /// <summary>The JS goal identifier of rows whose file has no Target column.</summary>
        [Parameter]
        public string? Target { get; set; }

        /// <summary>The currency of rows whose file has no Currency column (ISO 4217).</summary>
        [Parameter]
        [ValidateCurrency]
        [ArgumentCompleter(typeof(CurrencyCompleter))]
        public string? Currency { get; set; }

        protected override string Noun => "Import-CrmConversion";

        protected override IDictionary<string, string?> Constants =>
            new Dictionary<string, string?> { ["target"] = Target, ["currency"] = Currency };

        protected override RecordNormalizer<CrmConversion> CreateNormalizer(NormalizerOptions options, IReadOnlyList<string> attributes) => new ConversionNormalizer(options);

        protected override long LineOf(CrmConversion record) => record.SourceLine;
    }
}
