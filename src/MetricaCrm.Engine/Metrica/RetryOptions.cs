using System;

namespace MetricaCrm.Engine.Metrica
{
    /// <summary>How hard the client tries: bounded attempts, bounded total time, jittered exponential backoff.</summary>
    public sealed class RetryOptions
    {
        /// <summary>Retries after the first attempt.</summary>
        public int MaxRetries { get; set; } = 5;
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);
        /// <summary>A Retry-After longer than this (a daily quota, say) is not waited for: the request fails with Metrica's message.</summary>
        public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);
        /// <summary>One attempt, upload included.</summary>
        public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromMinutes(10);
        /// <summary>All attempts and waits of one request together.</summary>
        public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(30);
    }
}
