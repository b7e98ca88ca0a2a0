using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using MetricaCrm.Engine.Journal;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// Completion from the local upload journal (the one the command would use: -JournalPath, METRICA_JOURNAL, else
    /// the journal of -ApiBaseUri, Connect-Metrica's or METRICA_API_URI's address), newest first, of the -CounterId and
    /// -Kind already typed. No request to Metrica, so it is instant and works offline; no journal, a locked or
    /// unreadable one completes nothing rather than fail the Tab.
    /// </summary>
    public abstract class JournalCompleter : IArgumentCompleter
    {
        protected const int Recent = 50;

        protected abstract IEnumerable<CompletionResult> Complete(UploadJournal journal, long? counterId, JournalKind? kind, string typed);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string typed = (wordToComplete ?? "").Trim('\'', '"');
            try
            {
                string path = JournalLocation.Choose(Text(fakeBoundParameters, "JournalPath"), Api(fakeBoundParameters));
                if (!File.Exists(path)) return Array.Empty<CompletionResult>();
                using var journal = UploadJournal.Open(path);
                return Complete(journal, CounterId(fakeBoundParameters), Kind(fakeBoundParameters), typed).ToList();
            }
            catch (Exception ex) when (!(ex is OutOfMemoryException))
            {
                return Array.Empty<CompletionResult>();
            }
        }

        private static string? Text(IDictionary? bound, string name) =>
            bound != null && bound.Contains(name) ? (bound[name] is PSObject p ? p.BaseObject : bound[name])?.ToString() : null;

        private static Uri? Api(IDictionary? bound)
        {
            if (Uri.TryCreate(Text(bound, "ApiBaseUri"), UriKind.Absolute, out var given)) return given;
            return MetricaConnection.Of(Runspace.DefaultRunspace)?.ApiBaseUri ?? JournalLocation.ApiFromEnvironment();
        }

        private static long? CounterId(IDictionary? bound) =>
            long.TryParse(Text(bound, "CounterId"), out var id) ? id : MetricaConnection.Of(Runspace.DefaultRunspace)?.CounterId;

        /// <summary>-Kind in the journal's names; Get-MetricaUploadStatus's spellings map through the API's path names.</summary>
        private static JournalKind? Kind(IDictionary? bound)
        {
            string? text = Text(bound, "Kind");
            if (text == null) return null;
            if (Enum.TryParse<JournalKind>(text, true, out var kind)) return kind;
            return UploadKindNames.PathName(text) switch
            {
                "simple_orders" => JournalKind.SimpleOrders,
                "contacts" => JournalKind.Clients,
                "orders" => JournalKind.Orders,
                "offline_conversions" => JournalKind.OfflineConversions,
                "calls" => JournalKind.Calls,
                _ => null,
            };
        }

        protected static string Describe(JournalBatch b) =>
            $"batch {b.Id}: {b.Kind}, {b.Rows} rows, {b.State}, {b.StartedUtc:yyyy-MM-dd HH:mm} UTC, counter {b.CounterId}";
    }
}
