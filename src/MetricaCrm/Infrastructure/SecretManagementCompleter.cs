using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// Tab completion from SecretManagement's own listing commands (vault names, secret names from their metadata; no
    /// secret is read), run in the user's runspace. Without SecretManagement, or when a vault cannot list, it offers
    /// nothing rather than an error: completion must never fail a keystroke.
    /// </summary>
    public abstract class SecretManagementCompleter : IArgumentCompleter
    {
        /// <summary>A script that takes the typed prefix and the bound -Vault (or null) and writes names.</summary>
        protected abstract string Script { get; }

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string typed = (wordToComplete ?? "").Trim('\'', '"');
            string? vault = fakeBoundParameters?["Vault"]?.ToString();
            List<string> names;
            try
            {
                using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
                ps.AddScript(Script).AddArgument(typed).AddArgument(vault);
                names = ps.Invoke().Where(o => o?.BaseObject is string).Select(o => (string)o.BaseObject).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            }
            catch (Exception ex) when (ex is RuntimeException || ex is InvalidOperationException)
            {
                return Array.Empty<CompletionResult>();
            }
            return names.OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
                .Select(n => new CompletionResult(n.IndexOfAny(new[] { ' ', '\'', '$', '(', ')', '{', '}', ';', '`' }) >= 0 ? "'" + n.Replace("'", "''") + "'" : n,
                    n, CompletionResultType.ParameterValue, n));
        }

        /// <summary>The module-qualified SecretManagement command, or nothing when the module is not installed.</summary>
        protected const string Guard = "if (-not (Get-Command Microsoft.PowerShell.SecretManagement\\Get-SecretVault -ErrorAction Ignore)) { return }\n";
    }
}
