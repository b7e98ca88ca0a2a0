using System.Collections.Generic;
using System.Management.Automation;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// The engine says which rule a record broke; this says which parameter or cmdlet fixes it. Kept here because
    /// only the cmdlet layer knows its parameters.
    /// </summary>
    internal static class Hints
    {
        private static readonly Dictionary<string, string> ByRule = new Dictionary<string, string>
        {
            ["UnmappedStatus"] = "map CRM statuses with Convert-MetricaStatus",
            ["MissingStatus"] = "map CRM statuses with Convert-MetricaStatus, or give -OrderStatus to Import-CrmOrder",
            ["StatusNotAGoal"] = "use Send-MetricaOrder for custom status ids, or create the JS goal in the counter",
            ["InvalidEncoding"] = "name the file's encoding with -Encoding",
            ["FutureDateTime"] = "check -TimeZone",
            ["CreateDateChanged"] = "after a CRM migration, give the migrated orders new ids with Import-CrmOrder -OrderIdPrefix",
            ["AmbiguousColumn"] = "choose the column with -ColumnMap @{ field = 'header' }",
            ["BackslashEscapedQuote"] = "read the file with -QuoteEscape Backslash",
            ["AmbiguousDate"] = "export the dates as dd.MM.yyyy or yyyy-MM-dd, or read the file in the culture that wrote it: " +
                                "[cultureinfo]::CurrentCulture = 'en-GB' (dd/MM) or 'en-US' (MM/dd) before Import-Crm*",
            ["MissingColumn"] = "map the column with -ColumnMap @{ field = 'header' }",
            ["UnsupportedEncoding"] = "name the file's encoding with -Encoding: -Encoding UTF8 reads it and rejects only the rows with such bytes, " +
                                      "-Encoding windows-1251 reads a file saved on Russian Windows; or save it as UTF-8",
            // Metrica's refusals, by the error id the cmdlets give them.
            ["MetricaUnauthorized"] = "pass -Token or set METRICA_TOKEN",
            ["MetricaInvalidToken"] = "get a new token (docs/sending.md, 'Tokens') and pass it with -Token or METRICA_TOKEN",
            ["MetricaMayHaveBeenApplied"] = "check Get-MetricaUploadStatus -CounterId <id> before sending again",
            ["CallsGoalMissing"] = "the counter has no goal for calls yet: send once with -NewGoalName 'Calls' (any name); later uploads count towards that goal",
        };

        /// <summary>Adds the fix for <paramref name="rule"/> to the record: shown after the engine's message, and as its recommended action.</summary>
        public static ErrorRecord Attach(ErrorRecord record, string rule)
        {
            if (ByRule.TryGetValue(rule, out var hint))
                record.ErrorDetails = new ErrorDetails($"{record.Exception.Message} Fix: {hint}.") { RecommendedAction = hint };
            return record;
        }
    }
}
