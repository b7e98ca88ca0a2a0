using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Orders;
using MetricaCrm.Engine.SimpleOrders;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Streams orders into simple_orders files and uploads each to Metrica's CRM API.
    /// Every input order is either in an upload or reported with its reason; -WhatIf sends nothing.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "MetricaConversion", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [Alias("Send-MetricaConversions")]
    [OutputType(typeof(MetricaUpload))]
    public sealed class SendMetricaConversionCommand : SendMetricaCmdlet<CrmOrder>
    {
        private ObjectRecords<CrmOrder>? _objects;

        protected override UploadKind<CrmOrder> CreateKind(bool whatIf)
        {
            if (whatIf)
            {
                WriteVerbose("-WhatIf: the counter's goals are not read; statuses that are not status types are not checked against them.");
                return new SimpleOrdersKind(counterGoals: null);
            }
            // A status that is neither a type nor one of the counter's JS goals is refused before anything is sent.
            var goals = Call((client, ct) => client.GetGoalsAsync(CounterId, ct));
            return new SimpleOrdersKind(new HashSet<string>(goals.SelectMany(g => g.Identifiers), StringComparer.Ordinal));
        }

        protected override ImportItem<CrmOrder> FromObject(PSObject input, long number)
        {
            // Read with Import-CrmOrder's column and value rules; date-times without an offset in this machine's zone.
            _objects ??= new ObjectRecords<CrmOrder>(new OrderNormalizer(new NormalizerOptions(new PhoneNormalizer(), new CrmDateTimeParser(TimeZoneInfo.Local))));
            var (names, values) = PropertyBag.Read(input);
            var item = _objects.Normalize(names, values, "pipeline object", number);
            // A status set by Convert-MetricaStatus on a plain object travels as a MetricaStatus property.
            var mapped = input.Properties["MetricaStatus"]?.Value;
            if (item.Record != null && mapped != null) item.Record.MetricaStatus = PropertyBag.Text(mapped);
            return item;
        }
    }
}
