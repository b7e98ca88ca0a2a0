using System;
using System.Globalization;
using System.Linq;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.Orders
{
    /// <summary>
    /// The columns of a data/orders/csv file, as orders-data documents them (fact sheet §3.6), then the custom
    /// attributes. A currency column is not sent: whether detailed orders accept one is unconfirmed, and an unknown
    /// column fails the upload.
    /// </summary>
    public static class OrderCsvColumns
    {
        public static readonly CsvLayout<CrmOrder> Layout = new CsvLayout<CrmOrder>(new[]
        {
            new CsvColumn<CrmOrder>("id", o => o.Id),
            new CsvColumn<CrmOrder>("client_uniq_id", o => o.ClientUniqId),
            new CsvColumn<CrmOrder>("client_type", _ => OrdersKind.ClientType),
            new CsvColumn<CrmOrder>("create_date_time", (o, zone) => CounterTime.Format(o.CreateDateTime, zone)),
            // Check() has resolved the status; the CRM's own words are never sent.
            new CsvColumn<CrmOrder>("order_status", o => o.MetricaStatus),
            new CsvColumn<CrmOrder>("update_date_time", (o, zone) => CounterTime.Format(o.UpdateDateTime, zone)),
            new CsvColumn<CrmOrder>("finish_date_time", (o, zone) => CounterTime.Format(o.FinishDateTime, zone)),
            new CsvColumn<CrmOrder>("revenue", o => o.Revenue?.ToString(CultureInfo.InvariantCulture)),
            new CsvColumn<CrmOrder>("cost", o => o.Cost?.ToString(CultureInfo.InvariantCulture)),
            new CsvColumn<CrmOrder>("goals", (o, _) => CsvColumn<CrmOrder>.Joined(o.Goals), list: true),
            new CsvColumn<CrmOrder>("products", (o, _) => CsvColumn<CrmOrder>.Joined(o.Products.Select(p => p.Name + ":" + p.Quantity.ToString(CultureInfo.InvariantCulture)).ToArray()), list: true),
        }, o => o.Attributes);
    }

    /// <summary>A data/orders/json body: products as {"name": qty}, goals as [{"goal_action_id", "price"}].</summary>
    public sealed class OrderJsonWriter : JsonBatchWriter<CrmOrder>
    {
        private readonly TimeZoneInfo _zone;

        public OrderJsonWriter(string path, TimeZoneInfo counterZone) : base(path, "orders") => _zone = counterZone;

        protected override void WriteProperties(CrmOrder o)
        {
            Json.WriteString("id", o.Id);
            Json.WriteString("client_uniq_id", o.ClientUniqId);
            Json.WriteString("client_type", OrdersKind.ClientType);
            Json.WriteString("create_date_time", CounterTime.Format(o.CreateDateTime, _zone));
            Json.WriteString("order_status", o.MetricaStatus);
            JsonFields.String(Json, "update_date_time", CounterTime.Format(o.UpdateDateTime, _zone));
            JsonFields.String(Json, "finish_date_time", CounterTime.Format(o.FinishDateTime, _zone));
            JsonFields.Decimal(Json, "revenue", o.Revenue);
            JsonFields.Decimal(Json, "cost", o.Cost);
            if (o.Goals.Length > 0)
            {
                Json.WriteStartArray("goals");
                foreach (var goal in o.Goals)
                {
                    int colon = goal.IndexOf(':');
                    Json.WriteStartObject();
                    Json.WriteString("goal_action_id", colon < 0 ? goal : goal.Substring(0, colon));
                    if (colon >= 0) Json.WriteNumber("price", decimal.Parse(goal.Substring(colon + 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));
                    Json.WriteEndObject();
                }
                Json.WriteEndArray();
            }
            if (o.Products.Count > 0)
            {
                Json.WriteStartObject("products");
                foreach (var p in o.Products) Json.WriteNumber(p.Name, p.Quantity);
                Json.WriteEndObject();
            }
            JsonFields.Attributes(Json, o.Attributes);
        }
    }
}
