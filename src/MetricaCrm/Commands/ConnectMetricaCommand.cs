using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Stores a counter, a token and an API address as this session's defaults, so later cmdlets need no -CounterId or
    /// -Token. A secret is read now (an unreadable one fails here, not in the middle of a run) and kept as a SecureString.
    /// Values not given keep what an earlier Connect-Metrica stored. Unless -SkipCheck, Metrica reads the counter with
    /// the token first; a refused token is an error and replaces nothing.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "Metrica", DefaultParameterSetName = TokenSet)]
    [OutputType(typeof(MetricaConnectionInfo))]
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
        [ArgumentCompleter(typeof(SecretNameCompleter))]
        public string? SecretName { get; set; }

        [Parameter(ParameterSetName = SecretSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VaultCompleter))]
        public string? Vault { get; set; }

        [Parameter]
        public Uri? ApiBaseUri { get; set; }

        /// <summary>Stores the defaults without asking Metrica whether the token reads the counter (offline, or a proxy only later cmdlets are given).</summary>
        [Parameter]
        public SwitchParameter SkipCheck { get; set; }

        /// <summary>Writes what was stored (never the token).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        // The check is one read: a connect should answer in seconds, not wait out an upload's retries.
        private static readonly RetryOptions CheckRetry = new RetryOptions
        {
            MaxRetries = 2, AttemptTimeout = TimeSpan.FromSeconds(30), TotalTimeout = TimeSpan.FromMinutes(1),
        };

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
            MetricaConnectionInfo info;
            try
            {
                info = SkipCheck ? Describe(connection, null) : Check(connection);
            }
            catch
            {
                // The earlier defaults stay as they were; the refused ones are forgotten.
                connection.Token?.Dispose();
                throw;
            }
            MetricaConnection.Clear(runspace);
            MetricaConnection.Set(runspace, connection);
            WriteVerbose($"Metrica defaults for this session: counter {(connection.CounterId?.ToString() ?? "(none)")}, " +
                $"token {(connection.Token != null ? "from " + connection.TokenSource : "(none: the usual chain applies)")}, " +
                $"API {(connection.ApiBaseUri?.ToString() ?? "(default)")}.");
            if (PassThru) WriteObject(info);
        }

        /// <summary>The address later cmdlets use: this connection's, else METRICA_API_URI, else Metrica (as MetricaApiCmdlet resolves it).</summary>
        private static Uri Address(MetricaConnection connection)
        {
            if (connection.ApiBaseUri != null) return connection.ApiBaseUri;
            var fromEnv = Environment.GetEnvironmentVariable(MetricaApiCmdlet.ApiUriVariable);
            return string.IsNullOrWhiteSpace(fromEnv) ? MetricaClient.DefaultBaseUri : new Uri(fromEnv);
        }

        private static MetricaConnectionInfo Describe(MetricaConnection connection, CounterInfo? counter, FoundToken? token = null) =>
            new MetricaConnectionInfo(connection.CounterId, counter?.Name, counter?.Permission, connection.TokenSource ?? token?.Source,
                Address(connection), counter != null);

        /// <summary>
        /// Reads the counter with the token the later cmdlets would use. A refusal, or an answer that never comes, is a
        /// terminating error: storing a token Metrica refuses would only move the failure into the middle of a later run.
        /// Without a counter or a token there is nothing to read; that is a warning, and the defaults are stored unchecked.
        /// </summary>
        private MetricaConnectionInfo Check(MetricaConnection connection)
        {
            FoundToken? found = null;
            // The chain as a later cmdlet walks it: this connection's token, else METRICA_SECRET_NAME, else METRICA_TOKEN.
            try { found = CredentialChain.Find(null, null, null, Vault, connection); }
            catch (MetricaCredentialException ex) { ThrowTerminatingError(ex.ErrorRecord); }
            if (connection.CounterId == null || found == null)
            {
                WriteWarning($"The token was not checked: {(found == null ? "no token in any source" : "no counter to read")}. " +
                    "Later cmdlets find out when they call Metrica; pass -CounterId (and a token) to check it now, or -SkipCheck to store without checking.");
                return Describe(connection, null, found);
            }
            long counterId = connection.CounterId.Value;
            var address = Address(connection);
            if (MetricaClient.SendsTokenInClear(address))
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException(
                    $"-ApiBaseUri {address.GetLeftPart(UriPartial.Authority)} is plain http to another machine: checking the token would send it " +
                    "unencrypted, so nothing was sent and nothing was stored. Use an https address, or add -SkipCheck (later cmdlets then need -AllowUnencryptedHttp)."),
                    "MetricaPlainHttpRefused", ErrorCategory.SecurityError, address));
            CounterInfo counter;
            using (var client = new MetricaClient(address, MetricaToken.FromSecureString(found.Token), CheckRetry, PostVerbose))
            {
                try
                {
                    counter = Run(ct => client.GetCounterAsync(counterId, ct));
                }
                catch (MetricaApiException ex)
                {
                    var record = Hints.Attach(new ErrorRecord(ex, ex.ErrorId, ex.IsAccessRefused ? ErrorCategory.AuthenticationError : ErrorCategory.ConnectionError, counterId), ex.ErrorId);
                    record.ErrorDetails = new ErrorDetails($"Connect-Metrica did not store these defaults: reading counter {counterId} at {address} with the token from " +
                        $"{found.Source} failed. {ex.Message} The session keeps its earlier defaults, if any. -SkipCheck stores them without this check.")
                    {
                        RecommendedAction = record.ErrorDetails?.RecommendedAction ?? "Check the token and the counter id, or connect with -SkipCheck.",
                    };
                    ThrowTerminatingError(record);
                    throw;
                }
            }
            WriteVerbose($"Checked: the token from {found.Source} reads counter {counter.Id} '{counter.Name}' (permission '{counter.Permission}').");
            if (counter.CanEdit == false)
                WriteWarning($"The token's account has '{counter.Permission}' access to counter {counterId}: reading works, uploads and schema changes need owner or edit access.");
            return Describe(connection, counter, found);
        }
    }
}
