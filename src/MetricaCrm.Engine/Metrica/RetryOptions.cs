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

        /// <summary>One attempt of every request, upload or not (-RequestTimeout); null: sized by the request (<see cref="AttemptTimeoutFor"/>).</summary>
        public TimeSpan? AttemptTimeout { get; set; }
        /// <summary>All attempts and waits of one request together; null: sized by the attempt's bound (<see cref="TotalTimeoutFor"/>).</summary>
        public TimeSpan? TotalTimeout { get; set; }

        /// <summary>
        /// One attempt of a read (the counter, its goals, attributes, statuses, the upload lists): Metrica answers those in
        /// well under a second, so an unanswered one fails in seconds, not minutes.
        /// </summary>
        public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>What an attempt that sends data (a file, a JSON body such as a product catalogue) may take beyond sending its bytes: Metrica reads and validates it before it answers.</summary>
        public TimeSpan UploadBaseTimeout { get; set; } = TimeSpan.FromMinutes(2);
        /// <summary>The time allowed per megabyte (10^6 bytes) of an upload: 10 s is a line of 100 KB/s (0.8 Mbit/s) at the slowest.</summary>
        public TimeSpan UploadTimeoutPerMegabyte { get; set; } = TimeSpan.FromSeconds(10);
        /// <summary>The most one upload's attempt may take when sized (a 1 GB file at the per-megabyte allowance needs 2.8 hours).</summary>
        public TimeSpan MaxUploadTimeout { get; set; } = TimeSpan.FromHours(3);

        /// <summary>The shortest total when sized: a read that timed out once still gets retries.</summary>
        public static readonly TimeSpan MinTotalTimeout = TimeSpan.FromMinutes(2);

        /// <summary>
        /// The bound of one attempt: <see cref="AttemptTimeout"/> when set; else <see cref="ReadTimeout"/> for a read, and
        /// for a request that sends <paramref name="uploadBytes"/> bytes the base plus the per-megabyte
        /// allowance, capped at <see cref="MaxUploadTimeout"/>.
        /// </summary>
        public TimeSpan AttemptTimeoutFor(long? uploadBytes)
        {
            if (AttemptTimeout is TimeSpan given) return given;
            if (uploadBytes is not long bytes) return ReadTimeout;
            double seconds = UploadBaseTimeout.TotalSeconds + UploadTimeoutPerMegabyte.TotalSeconds * Math.Max(0, bytes) / 1_000_000d;
            return seconds >= MaxUploadTimeout.TotalSeconds ? MaxUploadTimeout : TimeSpan.FromSeconds(Math.Ceiling(seconds));
        }

        /// <summary>The bound of all attempts: <see cref="TotalTimeout"/> when set; else two attempts' worth (so a timed-out attempt that may be repeated is), at least <see cref="MinTotalTimeout"/>.</summary>
        public TimeSpan TotalTimeoutFor(TimeSpan attempt)
        {
            if (TotalTimeout is TimeSpan given) return given;
            var two = attempt + attempt;
            return two > MinTotalTimeout ? two : MinTotalTimeout;
        }
    }
}
