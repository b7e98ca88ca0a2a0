using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Security;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// The defaults Connect-Metrica stores for one runspace (a console session, a job, a task's script), so later
    /// cmdlets need no -CounterId or -Token. Keyed by runspace: parallel runspaces never see each other's token,
    /// and the entry goes away with its runspace.
    /// </summary>
    internal sealed class MetricaConnection
    {
        private static readonly ConditionalWeakTable<Runspace, MetricaConnection> ByRunspace = new ConditionalWeakTable<Runspace, MetricaConnection>();

        public MetricaConnection(long? counterId, SecureString? token, string? tokenSource, Uri? apiBaseUri)
        {
            CounterId = counterId;
            Token = token;
            TokenSource = tokenSource;
            ApiBaseUri = apiBaseUri;
        }

        public long? CounterId { get; }
        /// <summary>Read-only copy; stays a SecureString for the life of the session.</summary>
        public SecureString? Token { get; }
        /// <summary>Where Connect-Metrica found the token (for verbose text; never the token).</summary>
        public string? TokenSource { get; }
        public Uri? ApiBaseUri { get; }

        public static MetricaConnection? Of(Runspace? runspace) =>
            runspace != null && ByRunspace.TryGetValue(runspace, out var c) ? c : null;

        public static void Set(Runspace runspace, MetricaConnection connection)
        {
            ByRunspace.Remove(runspace);
            ByRunspace.Add(runspace, connection);
        }

        public static bool Clear(Runspace runspace)
        {
            if (!ByRunspace.TryGetValue(runspace, out var old)) return false;
            ByRunspace.Remove(runspace);
            old.Token?.Dispose();
            return true;
        }
    }
}
