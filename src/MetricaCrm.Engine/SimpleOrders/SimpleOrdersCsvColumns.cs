using System.Globalization;
using MetricaCrm.Engine.Orders;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.SimpleOrders
{
    /// <summary>The columns of a simple_orders file, in the documented header's order (fact sheet §3.7); date-times in the counter's zone.</summary>
    public static class SimpleOrdersCsvColumns
    {
        public static readonly CsvLayout<CrmOrder> Layout = new CsvLayout<CrmOrder>(new[]
        {
            new CsvColumn<CrmOrder>("id", o => o.Id),
            new CsvColumn<CrmOrder>("create_date_time", (o, zone) => CounterTime.Format(o.CreateDateTime, zone)),
            new CsvColumn<CrmOrder>("client_uniq_id", o => o.ClientUniqId),
            new CsvColumn<CrmOrder>("client_ids", (o, _) => CsvColumn<CrmOrder>.Joined(o.ClientIds), list: true),
            new CsvColumn<CrmOrder>("emails", (o, _) => CsvColumn<CrmOrder>.Joined(o.Emails), list: true),
            new CsvColumn<CrmOrder>("phones", (o, _) => CsvColumn<CrmOrder>.Joined(o.Phones), list: true),
            new CsvColumn<CrmOrder>("emails_md5", (o, _) => CsvColumn<CrmOrder>.Joined(o.EmailsMd5), list: true),
            new CsvColumn<CrmOrder>("phones_md5", (o, _) => CsvColumn<CrmOrder>.Joined(o.PhonesMd5), list: true),
            // Check() has resolved the status; the CRM's own words are never sent.
            new CsvColumn<CrmOrder>("order_status", o => o.MetricaStatus),
            new CsvColumn<CrmOrder>("revenue", o => o.Revenue?.ToString(CultureInfo.InvariantCulture)),
            new CsvColumn<CrmOrder>("cost", o => o.Cost?.ToString(CultureInfo.InvariantCulture)),
            new CsvColumn<CrmOrder>("goals", (o, _) => CsvColumn<CrmOrder>.Joined(o.Goals), list: true),
            new CsvColumn<CrmOrder>("currency", o => o.Currency),
        });
    }
}
