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

    public sealed class UploadKindCompleter : ListCompleter
    {
        protected override IEnumerable<string> Values() => UploadKindNames.Completed;
    }
}
