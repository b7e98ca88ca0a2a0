using System;
using System.Management.Automation;
using System.Net;
using System.Management.Automation.Runspaces;
using System.Security;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// Parameters and plumbing of the cmdlets that talk to Metrica: counter, token, API address, proxy, retries.
    /// What is not given falls back to Connect-Metrica's defaults for this runspace, then to the environment.
    /// </summary>
    public abstract class MetricaApiCmdlet : MetricaCmdlet, IDisposable
    {
        public const string TokenVariable = CredentialChain.TokenVariable;
        public const string ApiUriVariable = "METRICA_API_URI";

        /// <summary>The OAuth token. Absent: see <see cref="CredentialChain"/>.</summary>
        [Parameter]
        public SecureString? Token { get; set; }

        /// <summary>The OAuth token as a credential's password (the user name is not used), e.g. from Import-Clixml.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>A SecretManagement secret (SecureString or PSCredential) that holds the token. Absent: METRICA_SECRET_NAME.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SecretNameCompleter))]
        public string? SecretName { get; set; }

        /// <summary>The SecretManagement vault of -SecretName. Absent: every registered vault, default first.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(VaultCompleter))]
        public string? Vault { get; set; }

        /// <summary>Default https://api-metrika.yandex.net, or METRICA_API_URI when set (the sandbox, for rehearsals).</summary>
        [Parameter]
        public Uri? ApiBaseUri { get; set; }

        /// <summary>An HTTP proxy. Absent: the system proxy, with the current account's credentials.</summary>
        [Parameter]
        public Uri? Proxy { get; set; }

        /// <summary>Credentials for -Proxy. Absent: the current account's (Windows integrated authentication).</summary>
        [Parameter]
        [Credential]
        public PSCredential? ProxyCredential { get; set; }

        [Parameter]
        [ValidateRange(0, 20)]
        public int MaxRetryCount { get; set; } = 5;

        /// <summary>The first backoff delay; later ones double, with jitter. Retry-After from Metrica wins.</summary>
        [Parameter]
        [ValidatePositiveTimeSpan]
        [TimeSpanArgument]
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>How long one attempt of any request may take, an upload included, before it counts as failed. Absent: sized by the request (see <see cref="RetryOptions.AttemptTimeoutFor"/>).</summary>
        [Parameter]
        [ValidatePositiveTimeSpan]
        [TimeSpanArgument]
        public TimeSpan? RequestTimeout { get; set; }

        /// <summary>
        /// Lets a plain http -ApiBaseUri that is not this machine carry the token and the data in clear (a TLS-terminating
        /// proxy the admin trusts). Without it such an address is refused before anything is sent.
        /// </summary>
        [Parameter]
        public SwitchParameter AllowUnencryptedHttp { get; set; }

        // Captured when PowerShell creates the command, on the pipeline thread: the counter id getter also runs on workers.
        private readonly Runspace? _runspace = Runspace.DefaultRunspace;
        private long _counterId;
        private MetricaClient? _client;

        /// <summary>Connect-Metrica's defaults for this runspace, if any.</summary>
        internal MetricaConnection? Connection => MetricaConnection.Of(_runspace);

        /// <summary>
        /// Each cmdlet declares -CounterId with its own binding and stores it here: the id given, else Connect-Metrica's,
        /// else 0, which <see cref="RequireCounterId"/> turns into an error before anything is asked of Metrica.
        /// </summary>
        protected long CounterIdValue
        {
            get => _counterId > 0 ? _counterId : Connection?.CounterId ?? 0;
            set => _counterId = value;
        }

        protected void RequireCounterId()
        {
            if (CounterIdValue > 0) return;
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(
                "No Metrica counter: pass -CounterId, or run Connect-Metrica -CounterId <id> once in this session."),
                "MetricaCounterIdMissing", ErrorCategory.InvalidArgument, null));
        }

        /// <summary>The Metrica client of this command, created (and the token read) on first use, on the pipeline thread.</summary>
        protected MetricaClient Client => _client ??= CreateClient();

        /// <summary>Starts a call to Metrica in the background; finish it with Run(_ => task) on the pipeline thread.</summary>
        protected System.Threading.Tasks.Task<T> Start<T>(Func<MetricaClient, System.Threading.CancellationToken, System.Threading.Tasks.Task<T>> call)
        {
            var client = Client;
            var stop = StopToken;
            return System.Threading.Tasks.Task.Run(() => call(client, stop));
        }

        /// <summary>Calls Metrica off the pipeline thread; the client (and its token check) is created on it first.</summary>
        protected T Call<T>(Func<MetricaClient, System.Threading.CancellationToken, System.Threading.Tasks.Task<T>> call)
        {
            var client = Client;
            return Run(ct => call(client, ct));
        }

        private FoundToken? _found;

        /// <summary>The token by the credentials chain (read once per command), or null when no source has one.</summary>
        /// <exception cref="MetricaCredentialException">A secret was named and cannot be read.</exception>
        internal FoundToken? FindToken() => _found ??= CredentialChain.Find(Token, Credential, SecretName, Vault, Connection);

        /// <summary>-ApiBaseUri, else Connect-Metrica's, else METRICA_API_URI, else Metrica itself.</summary>
        internal Uri? BaseUri()
        {
            if (ApiBaseUri != null) return ApiBaseUri;
            if (Connection?.ApiBaseUri != null) return Connection.ApiBaseUri;
            var fromEnv = Environment.GetEnvironmentVariable(ApiUriVariable);
            return string.IsNullOrWhiteSpace(fromEnv) ? null : new Uri(fromEnv);
        }

        internal ProxySettings GetProxySettings() =>
            Proxy == null && ProxyCredential == null ? ProxySettings.System
            : Proxy == null ? throw new PSArgumentException("-ProxyCredential needs -Proxy (the system proxy always uses the current account's credentials).")
            : new ProxySettings(Proxy, ProxyCredential?.GetNetworkCredential());

        private MetricaClient CreateClient()
        {
            RequireCounterId();
            FoundToken? found = null;
            try { found = FindToken(); }
            catch (MetricaCredentialException ex) { ThrowTerminatingError(ex.ErrorRecord); }
            if (found == null) ThrowTerminatingError(CredentialChain.Missing());
            var token = MetricaToken.FromSecureString(found!.Token);
            // Without -RequestTimeout each request's bound is sized by it, and the total is two attempts' worth (a long attempt still gets a retry).
            var retry = new RetryOptions { MaxRetries = MaxRetryCount, BaseDelay = RetryDelay, AttemptTimeout = RequestTimeout };
            ProxySettings proxy;
            try { proxy = GetProxySettings(); }
            catch (PSArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "MetricaProxyCredentialWithoutProxy", ErrorCategory.InvalidArgument, null));
                throw;
            }
            var address = BaseUri();
            if (address != null && MetricaClient.SendsTokenInClear(address) && !AllowUnencryptedHttp)
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException(
                    $"-ApiBaseUri {address.GetLeftPart(UriPartial.Authority)} is plain http to another machine: the OAuth token and the uploaded " +
                    "personal data would travel unencrypted, so nothing was sent. Use an https address (Metrica's is https://api-metrika.yandex.net), " +
                    "or add -AllowUnencryptedHttp if this network path may carry them in clear."), "MetricaPlainHttpRefused", ErrorCategory.SecurityError, address));
            _budget = OpenBudget(token);
            var client = new MetricaClient(address, token, retry, PostVerbose, proxy: proxy, budget: _budget, allowPlainHttp: AllowUnencryptedHttp);
            WriteVerbose($"Metrica API: {client.BaseUri} (token from {found.Source}; {proxy.Describe(client.BaseUri)})");
            return client;
        }

        private Engine.Journal.RequestBudget? _budget;

        /// <summary>The request budget this command's requests pass through; none unless a cmdlet keeps the journal.</summary>
        private protected virtual Engine.Journal.RequestBudget? OpenBudget(MetricaToken token) => null;

        protected virtual ErrorRecord ApiError(MetricaApiException ex, object? target)
        {
            var category = ex.StatusCode switch
            {
                HttpStatusCode.Unauthorized => ErrorCategory.AuthenticationError,
                HttpStatusCode.Forbidden => ErrorCategory.PermissionDenied,
                HttpStatusCode.BadRequest => ErrorCategory.InvalidData,
                HttpStatusCode.NotFound => ErrorCategory.ObjectNotFound,
                (HttpStatusCode)429 => ErrorCategory.LimitsExceeded,
                null => ErrorCategory.ConnectionError,
                _ => ErrorCategory.NotSpecified,
            };
            var record = Hints.Attach(new ErrorRecord(ex, ex.ErrorId, category, target), ex.ErrorId);
            return ex.MayHaveBeenApplied ? Hints.Attach(record, "MetricaMayHaveBeenApplied") : record;
        }

        /// <summary>PowerShell disposes cmdlets at the end of the pipeline, also after a terminating error or Ctrl+C.</summary>
        public void Dispose()
        {
            DisposeResources();
            _client?.Dispose();
            _client = null;
            _budget?.Dispose();
            _budget = null;
        }

        /// <summary>What a derived cmdlet holds beyond the client (an upload session and its files).</summary>
        protected virtual void DisposeResources() { }
    }
}
