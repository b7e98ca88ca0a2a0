using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Orders;
using MetricaCrm.Engine.Statuses;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.SimpleOrders
{
    /// <summary>
    /// Simplified orders (data/simple_orders): one CSV with the order and the client's identifiers. Its statuses are
    /// the four types or a JS goal id of the counter; custom status-schema ids belong to the detailed orders upload.
    /// </summary>
    public sealed class SimpleOrdersKind : OrderKind
    {
        private readonly ISet<string>? _counterGoals;

        /// <param name="counterGoals">The counter's JS goal identifiers; null when they were not read (nothing is sent then).</param>
        public SimpleOrdersKind(ISet<string>? counterGoals, OrderWindows windows) : base(windows) => _counterGoals = counterGoals;

        public override string Name => "simple_orders";
        public override Journal.JournalKind JournalKind => Journal.JournalKind.SimpleOrders;

        private readonly HashSet<StatusMap> _checkedMaps = new HashSet<StatusMap>();

        /// <exception cref="StatusMapNotForCounterException">The order's map sends a value the counter cannot take.</exception>
        public override RowFault? Check(CrmOrder order)
        {
            if (order.MappedBy is StatusMap map && _counterGoals != null && _checkedMaps.Add(map))
            {
                // The whole map at its first order: a typo in one entry must not show as row errors after other rows went.
                var wrong = map.GivenEntries.Where(e => !StatusTypes.IsSendable(e.Value) && !_counterGoals.Contains(e.Value)).ToList();
                if (wrong.Count > 0)
                    throw new StatusMapNotForCounterException(wrong, StatusTypes.Sendable.Concat(_counterGoals.OrderBy(g => g, StringComparer.Ordinal)));
            }
            var (status, fault) = OrderRules.ResolveStatus(order);
            if (fault != null) return fault;
            order.MetricaStatus = status;
            if (!StatusTypes.IsSendable(status!) && _counterGoals != null && !_counterGoals.Contains(status!))
                return new RowFault("StatusNotAGoal", "order_status", status,
                    "one of " + string.Join(", ", StatusTypes.Sendable) + " or a JS goal identifier of the counter: simplified orders take no custom status-schema ids (send those as detailed orders)");
            if (!order.HasIdentifier)
                return IdentifierRule.Missing("client_ids", IdentifierRule.SimpleOrder);
            return OrderRules.CheckId(order);
        }


        public override BatchWriter<CrmOrder> OpenWriter(string path, TimeZoneInfo counterZone, CrmOrder first) =>
            new FilledColumnsCsvWriter<CrmOrder>(path + ".csv", SimpleOrdersCsvColumns.Layout, counterZone, first);

        public override string ColumnKey(CrmOrder record) => SimpleOrdersCsvColumns.Layout.KeyOf(record);

        public override UploadRequest Request(MergeMode mode) =>
            new UploadRequest(UploadApi.Cdp, Name, $"data/simple_orders?merge_mode={mode.ToString().ToUpperInvariant()}&delimiter_type=COMMA", IsReplaySafe(mode));
    }
}
