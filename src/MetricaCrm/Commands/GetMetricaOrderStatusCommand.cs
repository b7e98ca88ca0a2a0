using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Commands
{
    /// <summary>Reads the counter's custom order statuses (schema/order_statuses).</summary>
    [Cmdlet(VerbsCommon.Get, "MetricaOrderStatus")]
    [OutputType(typeof(OrderStatusDefinition))]
    public sealed class GetMetricaOrderStatusCommand : MetricaApiCmdlet
    {
        /// <summary>Absent: the counter of Connect-Metrica.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get => CounterIdValue; set => CounterIdValue = value; }

        protected override void ProcessRecord()
        {
            try
            {
                foreach (var s in Call((client, ct) => client.GetOrderStatusesAsync(CounterId, ct))) WriteObject(s);
            }
            catch (MetricaApiException ex)
            {
                WriteError(ApiError(ex, CounterId));
            }
        }
    }
}
