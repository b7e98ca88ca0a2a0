using System;
using System.Globalization;
using System.Linq;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.Orders
{
    /// <summary>
    /// A data/orders/csv file: the documented columns, then the custom attributes of its first record. A currency
    /// column is not sent: whether detailed orders accept one is unconfirmed, and an unknown column fails the upload.
    /// </summary>
    public sealed class OrderCsvWriter : AttributeCsvBatchWriter<CrmOrder>
    {
        public static readonly string[] Columns =
        {
            "id", "client_uniq_id", "client_type", "create_date_time", "order_status", "update_date_time", "finish_date_time",
            "revenue", "cost", "goals", "products",
        };

        private readonly TimeZoneInfo _zone;

        public OrderCsvWriter(string path, TimeZoneInfo counterZone, CrmOrder first) : base(path, Columns, first.Attributes.Keys) => _zone = counterZone;

        protected override System.Collections.Generic.Dictionary<string, string> AttributesOf(CrmOrder record) => record.Attributes;

        protected override void WriteRecord(CrmOrder o)
        {
            Csv.WriteField(o.Id);
            Csv.WriteField(o.ClientUniqId!);
            Csv.WriteField(OrdersKind.ClientType);
            Csv.WriteField(CounterTime.Format(o.CreateDateTime, _zone));
            Csv.WriteField(o.MetricaStatus!);
            Text(CounterTime.Format(o.UpdateDateTime, _zone));
            Text(CounterTime.Format(o.FinishDateTime, _zone));
            Text(o.Revenue?.ToString(CultureInfo.InvariantCulture));
            Text(o.Cost?.ToString(CultureInfo.InvariantCulture));
            Multi(o.Goals);
            Multi(o.Products.Select(p => p.Name + ":" + p.Quantity.ToString(CultureInfo.InvariantCulture)).ToArray());
            WriteAttributes(o);
            Csv.EndRecord();
        }
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
