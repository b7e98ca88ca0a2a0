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
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get; set; }

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
