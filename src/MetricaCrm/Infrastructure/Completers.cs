using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using MetricaCrm.Engine.Normalization;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>Tab completion from a list of values, quoting those with spaces (Windows zone ids).</summary>
    public abstract class ListCompleter : IArgumentCompleter
    {
        protected abstract IEnumerable<string> Values();

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string typed = (wordToComplete ?? "").Trim('\'', '"');
            return Values()
                .Where(v => v.StartsWith(typed, StringComparison.OrdinalIgnoreCase) || typed.Length > 1 && v.IndexOf(typed, StringComparison.OrdinalIgnoreCase) >= 0)
                .Select(v => new CompletionResult(v.IndexOfAny(new[] { ' ', '(', ')', '+' }) >= 0 ? "'" + v + "'" : v, v, CompletionResultType.ParameterValue, v));
        }
    }

    public sealed class TimeZoneCompleter : ListCompleter
    {
        protected override IEnumerable<string> Values() => CrmDateTimeParser.KnownZoneIds();
    }

    public sealed class EncodingCompleter : ListCompleter
    {
        // The names EncodingDetector.Resolve knows by heart; others (any .NET encoding name) still validate.
        protected override IEnumerable<string> Values() => new[] { "UTF8", "Unicode", "BigEndianUnicode", "windows-1251" };
    }

    public sealed class CurrencyCompleter : ListCompleter
    {
        protected override IEnumerable<string> Values() => CurrencyCodes.All;
    }
}

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// Upload ids from the local upload journal (newest first, of the -CounterId already typed): no request to Metrica,
    /// so completion stays instant. A machine without a journal completes nothing.
    /// </summary>
    public sealed class UploadIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string typed = (wordToComplete ?? "").Trim('\'', '"');
            string path = Environment.GetEnvironmentVariable("METRICA_JOURNAL") is { Length: > 0 } env ? env : MetricaCrm.Engine.Journal.UploadJournal.DefaultPath();
            if (!System.IO.File.Exists(path)) return Array.Empty<CompletionResult>();
            long? counter = fakeBoundParameters?["CounterId"] is object c && long.TryParse(c.ToString(), out var id) ? id : (long?)null;
            MetricaCrm.Engine.Journal.UploadJournal journal;
            try { journal = MetricaCrm.Engine.Journal.UploadJournal.Open(path); }
            catch (MetricaCrm.Engine.Journal.UploadJournalUnavailableException) { return Array.Empty<CompletionResult>(); } // Tab must not throw
            using var _ = journal;
            return journal.Batches(counter, null, null, 200)
                .Where(b => !string.IsNullOrEmpty(b.UploadId) && b.UploadId!.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .Select(b => new CompletionResult(b.UploadId!, b.UploadId!, CompletionResultType.ParameterValue,
                    $"{b.Kind} {b.Rows} rows, {b.State}, {b.StartedUtc:yyyy-MM-dd HH:mm} UTC"))
                .ToList();
        }
    }
}
