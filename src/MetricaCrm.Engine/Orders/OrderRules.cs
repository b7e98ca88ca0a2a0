using System.Collections.Generic;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Statuses;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.Orders
{
    /// <summary>Rules every order upload shares.</summary>
    public static class OrderRules
    {
        /// <summary>
        /// The Metrica status to send: the mapped one, else a CRM status that already is a type. Unmapped CRM text is
        /// never sent as if it were a status, and no status is never sent: Metrica would count the order as PAID.
        /// </summary>
        public static (string? Status, RowFault? Fault) ResolveStatus(CrmOrder order)
        {
            if (!string.IsNullOrWhiteSpace(order.MetricaStatus))
            {
                try { return (StatusMap.ParseTarget(order.MetricaStatus!, order.OrderStatus), null); }
                catch (System.ArgumentException ex) { return (null, new RowFault("InvalidStatus", "order_status", order.MetricaStatus, ex.Message)); }
            }
            string crm = order.OrderStatus?.Trim() ?? "";
            string? type = StatusTypes.Canonical(crm);
            if (type != null && StatusTypes.IsSendable(type)) return (type, null);
            return (null, new RowFault(crm.Length == 0 ? "MissingStatus" : "UnmappedStatus", "order_status", crm,
                crm.Length == 0
                    ? "an order status: Metrica would count an order without one as PAID"
                    : "a Metrica status (" + string.Join(", ", StatusTypes.Sendable) + " or a goal id) mapped from the CRM status"));
        }

        /// <summary>Orders without an id can be duplicated by Metrica; an id is bounded like every identifier.</summary>
        public static RowFault? CheckId(CrmOrder order) =>
            order.Id.Trim().Length == 0
                ? new RowFault("MissingValue", "id", null, "an order id (orders without one can be duplicated by Metrica)")
                : Normalization.TextRules.CheckIdentifier("id", order.Id) ?? Normalization.TextRules.CheckIdentifier("client_uniq_id", order.ClientUniqId);
    }
}

namespace MetricaCrm.Engine.Orders
{
    /// <summary>What the two order uploads (simplified and detailed) share: ids, origins and Metrica's time windows.</summary>
    public abstract class OrderKind : UploadKind<CrmOrder>
    {
        private readonly OrderWindows _windows;

        protected OrderKind(OrderWindows windows) => _windows = windows;

        public override string RecordNoun => "order";
        public override string RecordId(CrmOrder record) => record.Id;
        public override RecordOrigin Origin(CrmOrder record) => new RecordOrigin(record.SourceFile, record.SourceLine);
        public override string? Skip(CrmOrder order) => _windows.Skip(order);
        public override IEnumerable<string> Warnings() => _windows.Warnings();

        /// <summary>Every value an upload of this kind carries, in a fixed order: equal text means nothing changed.</summary>
        public override Journal.JournalRecord? JournalRecordOf(CrmOrder o)
        {
            var f = Journal.RecordFingerprint.Start()
                .Field(o.CreateDateTime.UtcTicks).Field(o.ClientUniqId).Field(o.MetricaStatus)
                .Field(o.ClientIds).Field(o.Emails).Field(o.Phones).Field(o.EmailsMd5).Field(o.PhonesMd5)
                .Field(o.Revenue).Field(o.Cost).Field(o.Goals).Field(o.Currency)
                .Field(o.UpdateDateTime?.UtcTicks).Field(o.FinishDateTime?.UtcTicks)
                .Next();
            for (int i = 0; i < o.Products.Count; i++)
            {
                if (i > 0) f.Append(',');
                f.Append(o.Products[i].Name).Append(':').Append(o.Products[i].Quantity); // OrderProduct.ToString()
            }
            return new Journal.JournalRecord(o.Id, f.Field(o.Attributes).Finish(), o.CreateDateTime.UtcDateTime, o.ClientUniqId);
        }
    }
}
