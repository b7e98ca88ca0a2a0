using System.Management.Automation;
using MetricaCrm.Engine.Orders;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>What the order Send cmdlets read from a plain pipeline object beyond Import-CrmOrder's columns.</summary>
    internal static class OrderObjects
    {
        /// <summary>A status set by Convert-MetricaStatus on a plain object travels as a MetricaStatus property (a key of a hashtable).</summary>
        public static void ReadMetricaStatus(CrmOrder order, PSObject input)
        {
            var mapped = input.BaseObject is System.Collections.IDictionary table
                ? (table.Contains("MetricaStatus") ? table["MetricaStatus"] : null)
                : input.Properties["MetricaStatus"]?.Value;
            if (mapped != null) order.MetricaStatus = PropertyBag.Text(mapped);
        }
    }
}
