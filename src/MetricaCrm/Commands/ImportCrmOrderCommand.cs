using System.Collections.Generic;
using System.Management.Automation;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Orders;

namespace MetricaCrm.Commands
{
    /// <summary>Reads CRM orders from CSV exports or pipeline objects into normalised order objects.</summary>
    [Cmdlet(VerbsData.Import, "CrmOrder")]
    [Alias("Import-CrmOrders")]
    [OutputType(typeof(CrmOrder))]
    public sealed class ImportCrmOrderCommand : ImportCrmRecordCommand<CrmOrder>
    {
        /// <summary>The currency of orders whose row has none (ISO 4217).</summary>
        [Parameter]
        public string? Currency { get; set; }

        /// <summary>The CRM status of orders whose row has none.</summary>
        [Parameter]
        public string? OrderStatus { get; set; }

        protected override string Noun => "Import-CrmOrder";

        protected override IDictionary<string, string?> Constants =>
            new Dictionary<string, string?> { ["currency"] = Currency, ["order_status"] = OrderStatus };

        protected override RecordNormalizer<CrmOrder> CreateNormalizer(NormalizerOptions options) => new OrderNormalizer(options);

        protected override long LineOf(CrmOrder record) => record.SourceLine;
    }
}
