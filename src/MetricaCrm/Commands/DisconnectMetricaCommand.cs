using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MetricaCrm.Commands.Infrastructure;

namespace MetricaCrm.Commands
{
    /// <summary>Forgets what Connect-Metrica stored for this session (the token is disposed).</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "Metrica")]
    [OutputType(typeof(void))]
    public sealed class DisconnectMetricaCommand : MetricaCmdlet
    {
        protected override void EndProcessing() =>
            WriteVerbose(MetricaConnection.Clear(Runspace.DefaultRunspace)
                ? "Metrica defaults of this session cleared."
                : "This session had no Metrica defaults.");
    }
}
