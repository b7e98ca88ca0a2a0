using System;
using System.Management.Automation;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Orders;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// Orders from pipeline objects that did not come from Import-CrmOrder (Import-Csv rows, hashtables): read with
    /// Import-CrmOrder's column and value rules, date-times without an offset in this machine's zone.
    /// </summary>
    internal sealed class OrderObjects
    {
        private readonly ObjectRecords<CrmOrder> _records =
            new ObjectRecords<CrmOrder>(new OrderNormalizer(new NormalizerOptions(new PhoneNormalizer(), new CrmDateTimeParser(TimeZoneInfo.Local))));

        public ImportItem<CrmOrder> Read(PSObject input, long number)
        {
            var (names, values) = PropertyBag.Read(input);
            var item = _records.Normalize(names, values, "pipeline object", number);
            // A status set by Convert-MetricaStatus on a plain object travels as a MetricaStatus property.
            var mapped = input.Properties["MetricaStatus"]?.Value;
            if (item.Record != null && mapped != null) item.Record.MetricaStatus = PropertyBag.Text(mapped);
            return item;
        }
    }
}
