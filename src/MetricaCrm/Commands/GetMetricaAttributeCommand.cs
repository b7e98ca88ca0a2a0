using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Commands
{
    /// <summary>Reads the counter's custom attributes (schema/attributes), of one entity or all.</summary>
    [Cmdlet(VerbsCommon.Get, "MetricaAttribute")]
    [OutputType(typeof(MetricaAttribute))]
    public sealed class GetMetricaAttributeCommand : MetricaApiCmdlet
    {
        /// <summary>Absent: the counter of Connect-Metrica.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get => CounterIdValue; set => CounterIdValue = value; }

        /// <summary>CONTACT, ORDER, SIMPLE_ORDER or COMPANY; absent: every entity.</summary>
        [Parameter(Position = 0)]
        [ValidateSet("CONTACT", "ORDER", "SIMPLE_ORDER", "COMPANY")]
        public string? EntityType { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                foreach (var a in Call((client, ct) => client.GetAttributesAsync(CounterId, EntityType, ct))) WriteObject(a);
            }
            catch (MetricaApiException ex)
            {
                WriteError(ApiError(ex, CounterId));
            }
        }
    }
}
