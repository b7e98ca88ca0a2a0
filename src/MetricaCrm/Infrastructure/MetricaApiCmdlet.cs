using System;
using System.Management.Automation;
using System.Net;
using System.Security;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>Parameters and plumbing of the cmdlets that talk to Metrica: counter, token, API address, retries.</summary>
    public abstract class MetricaApiCmdlet : MetricaCmdlet, IDisposable
    {
        public const string TokenVariable = "METRICA_TOKEN";
        public const string ApiUriVariable = "METRICA_API_URI";

        /// <summary>The OAuth token. Absent: the METRICA_TOKEN environment variable.</summary>
        [Parameter]
        public SecureString? Token { get; set; }

        /// <summary>Default https://api-metrika.yandex.net, or METRICA_API_URI when set (the sandbox, for rehearsals).</summary>
        [Parameter]
        public Uri? ApiBaseUri { get; set; }

        [Parameter]
        [ValidateRange(0, 20)]
        public int MaxRetryCount { get; set; } = 5;

        /// <summary>The first backoff delay; later ones double, with jitter. Retry-After from Metrica wins.</summary>
        [Parameter]
        public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

        private MetricaClient? _client;

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

        private MetricaClient CreateClient()
        {
            MetricaToken token;
            if (Token != null) token = MetricaToken.FromSecureString(Token);
            else
            {
                var fromEnv = Environment.GetEnvironmentVariable(TokenVariable);
                if (string.IsNullOrWhiteSpace(fromEnv))
                    ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(
                        $"No Metrica OAuth token: pass -Token (a SecureString) or set the {TokenVariable} environment variable."),
                        "MetricaTokenMissing", ErrorCategory.AuthenticationError, null));
                token = MetricaToken.FromPlainText(fromEnv!);
            }
            var baseUri = ApiBaseUri;
            var fromEnvUri = Environment.GetEnvironmentVariable(ApiUriVariable);
            if (baseUri == null && !string.IsNullOrWhiteSpace(fromEnvUri)) baseUri = new Uri(fromEnvUri);
            var retry = new RetryOptions { MaxRetries = MaxRetryCount, BaseDelay = RetryDelay };
            var client = new MetricaClient(baseUri, token, retry, PostVerbose);
            WriteVerbose($"Metrica API: {client.BaseUri} (token from {(Token != null ? "-Token" : TokenVariable)})");
            return client;
        }

        protected ErrorRecord ApiError(MetricaApiException ex, object? target)
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
        }

        /// <summary>What a derived cmdlet holds beyond the client (an upload session and its files).</summary>
        protected virtual void DisposeResources() { }
    }
}
