using System;
using System.Data.Common;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using MetricaCrm.Commands.Commands;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Normalization;

namespace MetricaCrm.Commands
{
    public enum CheckVerdict { Pass, Warn, Fail }

    /// <summary>One finding of Test-MetricaConnection: what was checked, how it went, and what to do about it.</summary>
    public sealed class ConnectionCheck
    {
        public ConnectionCheck(long counterId, string check, CheckVerdict verdict, string detail, string? fix = null)
        {
            CounterId = counterId;
            Check = check;
            Verdict = verdict;
            Detail = detail;
            Fix = fix;
        }

        public long CounterId { get; }
        public string Check { get; }
        public CheckVerdict Verdict { get; }
        public string Detail { get; }
        public string? Fix { get; }

        public override string ToString() => $"{Check}: {Verdict} ({Detail})";
    }

    /// <summary>
    /// The doctor for a counter: token, its acceptance and access, the counter's zone, goals, status schema and
    /// attributes, proxy and TLS, and the journal's unfinished batches. One object per check; -Quiet says only
    /// whether nothing failed (warnings pass). Findings are output, not errors: a failing check is the answer.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "MetricaConnection")]
    [OutputType(typeof(ConnectionCheck))]
    [OutputType(typeof(bool))]
    public sealed class TestMetricaConnectionCommand : MetricaApiCmdlet
    {
        /// <summary>Absent: the counter of Connect-Metrica.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get => CounterIdValue; set => CounterIdValue = value; }

        /// <summary>The upload journal to look into; default: $env:METRICA_JOURNAL, else the per-user default location.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        [Parameter]
        public SwitchParameter Quiet { get; set; }

        private bool _failed;

        protected override void ProcessRecord()
        {
            RequireCounterId();
            _failed = false;
            var proxy = ProxyCheck();
            if (TokenCheck())
                RemoteChecks();
            Report(proxy);
            Report(TlsCheck());
            Report(JournalCheck());
            if (Quiet) WriteObject(!_failed);
        }

        private void Report(ConnectionCheck check)
        {
            if (check.Verdict == CheckVerdict.Fail) _failed = true;
            if (!Quiet) WriteObject(check);
        }

        private ConnectionCheck Check(string check, CheckVerdict verdict, string detail, string? fix = null) => new ConnectionCheck(CounterId, check, verdict, detail, fix);

        private bool TokenCheck()
        {
            try
            {
                var found = FindToken();
                if (found == null)
                {
                    Report(Check("Token present", CheckVerdict.Fail, "no token in any source",
                        "pass -Token or -Credential, name a secret with -SecretName or METRICA_SECRET_NAME, run Connect-Metrica, or set METRICA_TOKEN"));
                    return false;
                }
                Report(Check("Token present", CheckVerdict.Pass, "from " + found.Source));
                return true;
            }
            catch (MetricaCredentialException ex)
            {
                Report(Check("Token present", CheckVerdict.Fail, ex.Message, ex.ErrorRecord.FullyQualifiedErrorId));
                return false;
            }
        }

        private void RemoteChecks()
        {
            CounterInfo counter;
            try
            {
                counter = Call((client, ct) => client.GetCounterAsync(CounterId, ct));
            }
            catch (MetricaApiException ex)
            {
                CounterFailed(ex);
                return;
            }
            Report(Check("Token accepted", CheckVerdict.Pass, $"counter {counter.Id} '{counter.Name}' read at {Client.BaseUri}"));
            Report(counter.CanEdit switch
            {
                true => Check("Edit access", CheckVerdict.Pass, $"permission '{counter.Permission}'"),
                false => Check("Edit access", CheckVerdict.Fail, $"permission '{counter.Permission}': uploads and schema changes need owner or edit access",
                    "ask the counter's owner for edit (full) access for the token's account"),
                null => Check("Edit access", CheckVerdict.Warn, "Metrica did not name the permission; the first upload will tell"),
            });
            Report(ZoneCheck(counter));
            Remote("JS goals", (client, ct) => client.GetGoalsAsync(CounterId, ct), goals =>
            {
                var js = goals.Where(g => string.Equals(g.Type, "action", StringComparison.OrdinalIgnoreCase)).ToList();
                return js.Count > 0
                    ? Check("JS goals", CheckVerdict.Pass, $"{js.Count} JS goal(s): {string.Join(", ", js.SelectMany(g => g.Identifiers).Take(10))}")
                    : Check("JS goals", CheckVerdict.Warn, $"no JS-event goal ({goals.Count} goal(s) of other types): orders can carry only the four status types, offline conversions have no target",
                        "create a JavaScript-event goal in the counter's settings");
            });
            Remote("Order statuses", (client, ct) => client.GetOrderStatusesAsync(CounterId, ct), statuses =>
                Check("Order statuses", CheckVerdict.Pass, statuses.Count == 0
                    ? "no custom statuses (orders use IN_PROGRESS, PAID, CANCELLED, SPAM or goals)"
                    : $"{statuses.Count} custom status(es): {string.Join(", ", statuses.Select(s => s.Id + "=" + s.Type).Take(10))}"));
            Remote("Attributes", (client, ct) => client.GetAttributesAsync(CounterId, null, ct), attributes =>
                Check("Attributes", CheckVerdict.Pass, attributes.Count == 0
                    ? "no custom attributes"
                    : string.Join(", ", attributes.GroupBy(a => a.EntityType).Select(g => $"{g.Key} {g.Count()}"))));
        }

        private void Remote<T>(string name, Func<MetricaClient, System.Threading.CancellationToken, System.Threading.Tasks.Task<T>> call, Func<T, ConnectionCheck> judge)
        {
            try { Report(judge(Call(call))); }
            // The counter was read, so a 404 here is an API (or sandbox) that does not serve this part: worth a look, not a failure.
            catch (MetricaApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound) { Report(Check(name, CheckVerdict.Warn, ex.Message)); }
            catch (MetricaApiException ex) { Report(Check(name, CheckVerdict.Fail, ex.Message)); }
        }

        private void CounterFailed(MetricaApiException ex)
        {
            if (ex.StatusCode == null)
                Report(Check("Token accepted", CheckVerdict.Fail, "Metrica could not be reached: " + ex.Message, "check the network, -Proxy and -ApiBaseUri"));
            else if (ex.StatusCode == HttpStatusCode.Unauthorized || ex.ErrorType == "invalid_token")
                Report(Check("Token accepted", CheckVerdict.Fail, ex.Message,
                    "the token is invalid or expired (unused for a year, or the account's password changed): get a new one at oauth.yandex.ru"));
            else if (ex.StatusCode == HttpStatusCode.Forbidden)
            {
                Report(Check("Token accepted", CheckVerdict.Pass, "Metrica knows the token"));
                Report(Check("Edit access", CheckVerdict.Fail, ex.Message,
                    $"the token's account has no access to counter {CounterId}, or the app lacks the metrika:write or metrika:offline_data scope"));
            }
            else if (ex.StatusCode == HttpStatusCode.NotFound)
                Report(Check("Edit access", CheckVerdict.Fail, $"counter {CounterId} does not exist: {ex.Message}", "check -CounterId"));
            else
                Report(Check("Token accepted", CheckVerdict.Fail, ex.Message));
        }

        private ConnectionCheck ZoneCheck(CounterInfo counter)
        {
            try
            {
                var zone = CrmDateTimeParser.ResolveZone(counter.TimeZoneName);
                return Check("Time zone", CheckVerdict.Pass, $"{counter.TimeZoneName} (UTC{zone.GetUtcOffset(DateTime.UtcNow):\\+hh\\:mm}); sent date-times are written in it");
            }
            catch (ArgumentException ex)
            {
                return Check("Time zone", CheckVerdict.Fail, ex.Message, "pass -CounterTimeZone with a Windows id of the same zone to the Send cmdlets");
            }
        }

        private ConnectionCheck ProxyCheck()
        {
            try
            {
                var proxy = GetProxySettings();
                return Check("Proxy", CheckVerdict.Pass, proxy.Describe(BaseUri() ?? MetricaClient.DefaultBaseUri));
            }
            catch (PSArgumentException ex)
            {
                return Check("Proxy", CheckVerdict.Fail, ex.Message, "add -Proxy");
            }
        }

        private ConnectionCheck TlsCheck()
        {
            var uri = BaseUri() ?? MetricaClient.DefaultBaseUri;
            if (uri.Scheme == Uri.UriSchemeHttps) return Check("TLS", CheckVerdict.Pass, "https; " + MetricaClient.TlsDescription);
            return uri.IsLoopback
                ? Check("TLS", CheckVerdict.Pass, $"plain http to loopback ({uri.Authority}): a local sandbox")
                : Check("TLS", CheckVerdict.Fail, $"plain http to {uri.Authority}: the token would travel unencrypted", "use an https -ApiBaseUri");
        }

        private ConnectionCheck JournalCheck()
        {
            string path = JournalLocation.Resolve(this, JournalPath, BaseUri());
            if (!File.Exists(path) && !Directory.Exists(path)) return Check("Upload journal", CheckVerdict.Pass, $"no journal yet at {path}");
            try
            {
                using var journal = UploadJournal.Open(path);
                var pending = journal.PendingBatches(CounterId, null);
                if (pending.Count == 0) return Check("Upload journal", CheckVerdict.Pass, $"no unfinished batches in {path}");
                return Check("Upload journal", CheckVerdict.Warn,
                    $"{pending.Count} unfinished batch(es) ({string.Join(", ", pending.GroupBy(b => b.State).Select(g => $"{g.Count()} {g.Key}"))}, {pending.Sum(b => b.Rows)} rows) in {path}",
                    $"Resume-MetricaUpload -CounterId {CounterId} (Get-MetricaUploadJournal -CounterId {CounterId} -Pending lists them)");
            }
            catch (UploadJournalUnavailableException ex)
            {
                return Check("Upload journal", CheckVerdict.Fail, $"{path}: {ex.Reason} [{JournalErrors.ErrorId}]", JournalErrors.Remedy(ex));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidOperationException || ex is DbException)
            {
                return Check("Upload journal", CheckVerdict.Fail, $"{path}: {ex.Message}", "check the file's permissions, or pass -JournalPath");
            }
        }
    }
}
