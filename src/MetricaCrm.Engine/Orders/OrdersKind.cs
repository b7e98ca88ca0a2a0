using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Statuses;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.Orders
{
    /// <summary>
    /// Detailed orders (data/orders/csv or /json): each order belongs to a contact (client_uniq_id) and carries a status
    /// that is a type, an id of the counter's status schema or a JS goal id, plus products, goals and custom attributes.
    /// </summary>
    public sealed class OrdersKind : OrderKind
    {
        /// <summary>The only client_type Metrica documents.</summary>
        public const string ClientType = "CONTACT";

        private readonly UploadFormat _format;
        private readonly ISet<string>? _counterStatuses;
        private readonly AttributeCheck _attributes;
        private readonly HashSet<string> _currencies = new HashSet<string>(StringComparer.Ordinal);

        /// <param name="counterStatuses">The counter's status-schema ids and JS goal ids; null when not read (nothing is sent then).</param>
        /// <param name="counterAttributes">The counter's ORDER attributes; null when not read.</param>
        public OrdersKind(UploadFormat format, ISet<string>? counterStatuses, ISet<string>? counterAttributes, OrderWindows windows) : base(windows)
        {
            _format = format;
            _counterStatuses = counterStatuses;
            _attributes = new AttributeCheck("ORDER", counterAttributes);
        }

        public override string Name => "orders";
        public override Journal.JournalKind JournalKind => Journal.JournalKind.Orders;

        public override RowFault? Check(CrmOrder order)
        {
            var idFault = OrderRules.CheckId(order);
            if (idFault != null) return idFault;
            if (string.IsNullOrWhiteSpace(order.ClientUniqId))
                return new RowFault("MissingValue", "client_uniq_id", null, "the CRM id of the order's client (client_uniq_id): detailed orders belong to a contact");
            // A status id of the counter's schema is sent exactly as written, though it reads as a type ('paid' is not
            // PAID: the schema's 'paid' carries goals that PAID does not fire). Only simplified orders fold case.
            string? written = order.StatusAsWritten ?? order.MetricaStatus?.Trim() ?? order.OrderStatus?.Trim();
            var (status, fault) = written != null && _counterStatuses != null && _counterStatuses.Contains(written)
                ? (written, (RowFault?)null)
                : OrderRules.ResolveStatus(order);
            if (fault != null) return fault;
            if (!StatusTypes.IsSendable(status!) && _counterStatuses != null && !_counterStatuses.Contains(status!))
                return new RowFault("UnknownStatus", "order_status", status,
                    "one of " + string.Join(", ", StatusTypes.Sendable) + ", an id of the counter's status schema, or a JS goal identifier of the counter");
            order.MetricaStatus = status;
            _attributes.Check(order.Attributes);
            foreach (var a in order.Attributes)
            {
                var textFault = TextRules.CheckText(a.Key, a.Value);
                if (textFault != null) return textFault;
            }
            foreach (var p in order.Products)
                if (!AttributeNames.IsValid(p.Name))
                    return new RowFault("InvalidProduct", "products", p.Name, "a product name of the catalogue: letters, digits, '_', '-' or ':' (1-255)");
            if (order.Currency != null) _currencies.Add(order.Currency);
            return null;
        }

        /// <summary>Metrica keeps at most 100,000 orders per client.</summary>
        public override int? MaxRecordsPerClient => 100_000;

        /// <summary>Detailed orders belong to a contact, which Metrica must have received first.</summary>
        public override string? ContactOf(CrmOrder order) => order.ClientUniqId;

        public override IEnumerable<string> Warnings()
        {
            foreach (var w in base.Warnings()) yield return w;
            if (_currencies.Count > 0)
                yield return $"Orders carry currencies ({string.Join(", ", _currencies)}) that detailed orders do not send: whether Metrica accepts a currency column there is unconfirmed. Revenue counts in the counter's currency.";
        }

        public override BatchWriter<CrmOrder> OpenWriter(string path, TimeZoneInfo counterZone, CrmOrder first) =>
            _format == UploadFormat.Csv
                ? new FilledColumnsCsvWriter<CrmOrder>(path + ".csv", OrderCsvColumns.Layout, counterZone, first)
                : new OrderJsonWriter(path + ".json", counterZone);

        public override string ColumnKey(CrmOrder record) => _format == UploadFormat.Csv ? OrderCsvColumns.Layout.KeyOf(record) : "";

        public override UploadRequest Request(MergeMode mode) => new UploadRequest(UploadApi.Cdp, Name, DetailedPath(Name, _format, mode), IsReplaySafe(mode));
    }
}
