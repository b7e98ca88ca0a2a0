using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using MetricaCrm.Commands.Infrastructure;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Stores a counter, a token and an API address as this session's defaults, so later cmdlets need no -CounterId or
    /// -Token. A secret is read now (an unreadable one fails here, not in the middle of a run) and kept as a SecureString.
    /// Values not given keep what an earlier Connect-Metrica stored.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "Metrica", DefaultParameterSetName = TokenSet)]
    [OutputType(typeof(void))]
    public sealed class ConnectMetricaCommand : MetricaCmdlet
    {
        private const string TokenSet = "Token";
        private const string CredentialSet = "Credential";
        private const string SecretSet = "Secret";

        [Parameter(Position = 0)]
        [ValidateRange(1, long.MaxValue)]
        public long? CounterId { get; set; }

        [Parameter(ParameterSetName = TokenSet)]
        public SecureString? Token { get; set; }

        /// <summary>The token as a credential's password, e.g. from Import-Clixml of a DPAPI-protected file.</summary>
        [Parameter(ParameterSetName = CredentialSet, Mandatory = true)]
        [Credential]
        public PSCredential? Credential { get; set; }

        [Parameter(ParameterSetName = SecretSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string? SecretName { get; set; }

        [Parameter(ParameterSetName = SecretSet)]
        [ValidateNotNullOrEmpty]
        public string? Vault { get; set; }

        [Parameter]
        public Uri? ApiBaseUri { get; set; }

        protected override void EndProcessing()
        {
            var runspace = Runspace.DefaultRunspace;
            var old = MetricaConnection.Of(runspace);
            FoundToken? found = null;
            if (Token != null || Credential != null || SecretName != null)
            {
                try { found = CredentialChain.Find(Token, Credential, SecretName, Vault, null); }
                catch (MetricaCredentialException ex) { ThrowTerminatingError(ex.ErrorRecord); }
            }
            // A copy: the caller may dispose or change the SecureString it passed.
            var token = found?.Token.Copy();
            token?.MakeReadOnly();
            var connection = new MetricaConnection(CounterId ?? old?.CounterId, token ?? old?.Token?.Copy(), found?.Source ?? old?.TokenSource, ApiBaseUri ?? old?.ApiBaseUri);
            MetricaConnection.Clear(runspace);
            MetricaConnection.Set(runspace, connection);
            WriteVerbose($"Metrica defaults for this session: counter {(connection.CounterId?.ToString() ?? "(none)")}, " +
                $"token {(connection.Token != null ? "from " + connection.TokenSource : "(none: the usual chain applies)")}, " +
                $"API {(connection.ApiBaseUri?.ToString() ?? "(default)")}.");
        }
    }
}
