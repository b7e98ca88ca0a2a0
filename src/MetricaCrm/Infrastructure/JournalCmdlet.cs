using System;
using System.Management.Automation;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>Where the upload journal is: one rule for every cmdlet that reads or writes it.</summary>
    internal static class JournalLocation
    {
        /// <summary>
        /// -JournalPath, else METRICA_JOURNAL, else the per-user journal. Another API address than Metrica's (the sandbox)
        /// gets a journal of its own, so a rehearsal never marks records as accepted by the real Metrica.
        /// </summary>
        public static string Resolve(PSCmdlet cmdlet, string? given, Uri? api)
        {
            return cmdlet.GetUnresolvedProviderPathFromPSPath(Choose(given, api));
        }

        /// <summary>The journal's path before PowerShell resolves it (completers, which have no cmdlet, use it as is).</summary>
        public static string Choose(string? given, Uri? api)
        {
            string? chosen = string.IsNullOrEmpty(given) ? Environment.GetEnvironmentVariable("METRICA_JOURNAL") : given;
            if (string.IsNullOrEmpty(chosen))
            {
                chosen = UploadJournal.DefaultPath();
                if (api != null && !string.Equals(api.Host, MetricaClient.DefaultBaseUri.Host, StringComparison.OrdinalIgnoreCase))
                    chosen = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(chosen)!, $"journal-{api.Host}-{api.Port}.db");
            }
            return chosen!;
        }

        /// <summary>The API address of METRICA_API_URI, for cmdlets that read the journal without a connection.</summary>
        public static Uri? ApiFromEnvironment()
        {
            var fromEnv = Environment.GetEnvironmentVariable(MetricaApiCmdlet.ApiUriVariable);
            return string.IsNullOrWhiteSpace(fromEnv) ? null : new Uri(fromEnv);
        }
    }

    /// <summary>
    /// A network cmdlet that keeps the upload journal and sends within the request budget every process of the user
    /// shares (Metrica's quotas: requests in flight, per second, per day).
    /// </summary>
    public abstract class JournalCmdlet : MetricaApiCmdlet
    {
        /// <summary>The upload journal; default: $env:METRICA_JOURNAL, else the per-user journal of the API address.</summary>
        [Parameter]
        public string? JournalPath { get; set; }

        /// <summary>Requests per day this machine makes for the token (Metrica: 5,000 per user, reset at 00:00 GMT).</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int DailyRequestLimit { get; set; } = new QuotaOptions().DailyRequests;

        /// <summary>Requests in flight at once for the token across the machine's processes (Metrica: 3).</summary>
        [Parameter]
        [ValidateRange(1, 100)]
        public int MaxParallelRequests { get; set; } = new QuotaOptions().ParallelRequests;

        /// <summary>Requests per second across the machine's processes (Metrica: 30 per IP address).</summary>
        [Parameter]
        [ValidateRange(1, 1000)]
        public int MaxRequestsPerSecond { get; set; } = new QuotaOptions().RequestsPerSecond;

        /// <summary>Whether this command keeps the journal (and so the shared budget); -WhatIf writes nothing.</summary>
        protected virtual bool UsesJournal => !IsWhatIf();

        protected string ResolveJournalPath() => JournalLocation.Resolve(this, JournalPath, BaseUri());

        /// <summary>The journal of this command's API address (refused when it remembers another address's uploads).</summary>
        protected UploadJournal OpenJournal()
        {
            string path = ResolveJournalPath();
            WriteVerbose($"Upload journal: {path}");
            UploadJournal journal;
            try
            {
                journal = UploadJournal.Open(path);
            }
            catch (UploadJournalUnavailableException ex)
            {
                ThrowTerminatingError(JournalErrors.Unavailable(ex));
                throw;
            }
            try
            {
                journal.BindApi(BaseUri() ?? MetricaClient.DefaultBaseUri);
            }
            catch (JournalForAnotherApiException ex)
            {
                journal.Dispose();
                ThrowTerminatingError(JournalErrors.ForAnotherApi(ex));
            }
            return journal;
        }

        /// <summary>
        /// The journal as it stands, read-only, for -WhatIf to compare records with; an empty one when there is none yet
        /// (every record is new then). Nothing of it is created or written.
        /// </summary>
        protected UploadJournal OpenJournalToPreview()
        {
            string path = ResolveJournalPath();
            try
            {
                bool exists = System.IO.File.Exists(path);
                var journal = UploadJournal.OpenReadOnly(path, BaseUri() ?? MetricaClient.DefaultBaseUri);
                WriteVerbose(exists
                    ? $"Upload journal: {path}, read only (-WhatIf writes nothing to it)."
                    : $"Upload journal: {path} does not exist yet; -WhatIf counts every record as new and creates nothing.");
                return journal;
            }
            catch (UploadJournalUnavailableException ex)
            {
                ThrowTerminatingError(JournalErrors.Unavailable(ex));
                throw;
            }
            catch (JournalForAnotherApiException ex)
            {
                ThrowTerminatingError(JournalErrors.ForAnotherApi(ex));
                throw;
            }
        }

        /// <summary>
        /// The request budget every process of the user shares for this API address, whatever journal it keeps or
        /// whether it keeps one (-NoJournal): Metrica's quotas are the user's. -WhatIf sends nothing and takes none.
        /// </summary>
        private protected override RequestBudget? OpenBudget(MetricaToken token)
        {
            if (IsWhatIf()) return null;
            string path = UserState.BudgetPath(BaseUri() ?? MetricaClient.DefaultBaseUri);
            WriteVerbose($"Request budget: {path}");
            try
            {
                return RequestBudget.Open(path, token,
                    new QuotaOptions { DailyRequests = DailyRequestLimit, ParallelRequests = MaxParallelRequests, RequestsPerSecond = MaxRequestsPerSecond });
            }
            catch (UploadJournalUnavailableException ex)
            {
                ThrowTerminatingError(JournalErrors.Unavailable(ex));
                throw;
            }
        }
    }
}
