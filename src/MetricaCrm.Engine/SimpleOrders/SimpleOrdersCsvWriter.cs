using System;
using System.Globalization;
using MetricaCrm.Engine.Orders;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.SimpleOrders
{
    /// <summary>One simple_orders file: the documented header, date-times as yyyy-MM-dd HH:mm:ss in the counter's zone.</summary>
    public sealed class SimpleOrdersCsvWriter : CsvBatchWriter<CrmOrder>
    {
        public static readonly string[] Header =
            { "id", "create_date_time", "client_uniq_id", "client_ids", "emails", "phones", "emails_md5", "phones_md5", "order_status", "revenue", "cost", "goals", "currency" };

        private readonly TimeZoneInfo _counterZone;

        public SimpleOrdersCsvWriter(string path, TimeZoneInfo counterZone) : base(path, Header) => _counterZone = counterZone;

        protected override void WriteRecord(CrmOrder order)
        {
            Csv.WriteField(order.Id);
            Csv.WriteField(CounterTime.Format(order.CreateDateTime, _counterZone));
            Text(order.ClientUniqId);
            Multi(order.ClientIds);
            Multi(order.Emails);
            Multi(order.Phones);
            Multi(order.EmailsMd5);
            Multi(order.PhonesMd5);
            // Check() has resolved the status; the CRM's own words are never sent.
            Csv.WriteField(order.MetricaStatus!);
            Text(order.Revenue?.ToString(CultureInfo.InvariantCulture));
            Text(order.Cost?.ToString(CultureInfo.InvariantCulture));
            Multi(order.Goals);
            Text(order.Currency);
            Csv.EndRecord();
        }
    }
}
