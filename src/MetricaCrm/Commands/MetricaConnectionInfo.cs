using System;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// What Connect-Metrica -PassThru stored as the session's defaults, and what its check found. Never the token: only
    /// where it came from, so the object is safe to print, log and export.
    /// </summary>
    public sealed class MetricaConnectionInfo
    {
        public MetricaConnectionInfo(long? counterId, string? counterName, string? permission, string? tokenSource, Uri apiBaseUri, bool tokenChecked)
        {
            CounterId = counterId;
            CounterName = counterName;
            Permission = permission;
            TokenSource = tokenSource;
            ApiBaseUri = apiBaseUri;
            TokenChecked = tokenChecked;
        }

        /// <summary>The default counter; null when none was given.</summary>
        public long? CounterId { get; }
        /// <summary>The counter's name as Metrica returned it; null when the token was not checked.</summary>
        public string? CounterName { get; }
        /// <summary>The token's access to the counter (own, edit, view); null when not checked or not named.</summary>
        public string? Permission { get; }
        /// <summary>Where the token the later cmdlets use comes from (-Token, -Credential, a vault's secret, METRICA_TOKEN); null when none has one.</summary>
        public string? TokenSource { get; }
        /// <summary>The API address the later cmdlets use.</summary>
        public Uri ApiBaseUri { get; }
        /// <summary>True when Metrica read the counter with this token at connect time.</summary>
        public bool TokenChecked { get; }

        public override string ToString() =>
            $"counter {(CounterId?.ToString() ?? "(none)")}{(CounterName != null ? " '" + CounterName + "'" : "")} at {ApiBaseUri}, " +
            $"token {(TokenSource != null ? "from " + TokenSource : "(none)")}, {(TokenChecked ? "checked" : "not checked")}";
    }
}
