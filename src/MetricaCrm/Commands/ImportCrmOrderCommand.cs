using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Orders;

namespace MetricaCrm.Commands
{
    /// <summary>Reads CRM orders from CSV exports or pipeline objects into normalised order objects.</summary>
    [Cmdlet(VerbsData.Import, "CrmOrder", DefaultParameterSetName = "Path")]
    [Alias("Import-CrmOrders")]
    [OutputType(typeof(CrmOrder))]
    public sealed class ImportCrmOrderCommand : ImportCrmRecordCommand<CrmOrder>
    {
        /// <summary>The currency of orders whose row has none (ISO 4217).</summary>
        [Parameter]
        [ValidateCurrency]
        [ArgumentCompleter(typeof(CurrencyCompleter))]
        public string? Currency { get; set; }

        /// <summary>The CRM status of orders whose row has none.</summary>
        [Parameter]
        public string? OrderStatus { get; set; }

        /// <summary>Columns to carry as custom attributes of the counter (shoe_size, segment), by their header names.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] Attribute { get; set; } = Array.Empty<string>();

        protected override IReadOnlyList<string> Attributes => Attribute;

        protected override string Noun => "Import-CrmOrder";

        protected override IDictionary<string, string?> Constants =>
            new Dictionary<string, string?> { ["currency"] = Currency, ["order_status"] = OrderStatus };

        /// <summary>An order-lines export (order id, product, quantity) whose lines become the products of their orders.</summary>
        [Parameter]
        public string? ItemsPath { get; set; }

        /// <summary>Put before every order id: after a CRM migration, the migrated orders become new orders for Metrica.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OrderIdPrefix { get; set; }

        private OrderLineIndex? _lines;

        protected override RecordNormalizer<CrmOrder> CreateNormalizer(NormalizerOptions options, IReadOnlyList<string> attributes) => new OrderNormalizer(options, attributes);

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (ItemsPath == null) return;
            string file = GetUnresolvedProviderPathFromPSPath(ItemsPath);
            // -ColumnMap names the orders file's columns; the order-lines file is bound by its own headers.
            using var reader = OpenCsv(file, new OrderLineNormalizer(Options), constants: null, useColumnMap: false);
            if (reader == null) ThrowTerminatingError(new ErrorRecord(new IOException($"The order lines in {file} could not be read; nothing was imported."),
                "OrderLinesUnreadable", ErrorCategory.ReadError, file));
            _lines = new OrderLineIndex();
            foreach (var item in reader!.Read(StopToken))
            {
                Summary.OrderLinesRead++;
                if (item.Record != null) _lines.Add(item.Record);
                else
                {
                    Summary.OrderLinesRejected++;
                    ReportRejection(item.Rejection!);
                }
            }
            WriteVerbose($"{file}: {Summary.OrderLinesRead} order lines of {_lines.Orders} orders");
        }

        protected override void BeforeEmit(CrmOrder record)
        {
            if (_lines != null) Summary.OrderLinesJoined += _lines.Join(record); // by the CRM's own id, before any prefix
            if (OrderIdPrefix != null) record.Id = OrderIdPrefix + record.Id;
        }

        protected override void Finish()
        {
            if (_lines == null) return;
            foreach (var orphan in _lines.Unjoined())
            {
                Summary.OrderLinesRejected++;
                ReportRejection(orphan);
            }
        }

        protected override long LineOf(CrmOrder record) => record.SourceLine;
    }
}
