using System;
using System.Diagnostics;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// Says when progress may be reported again: by the clock, not by a count of records, so that a send reports a few
    /// times a second whatever its speed (a count fires thousands of times on a fast send and never on a slow one).
    /// </summary>
    public sealed class ProgressThrottle
    {
        private readonly long _intervalTicks;
        private long _last;
        private bool _reported;

        public ProgressThrottle(TimeSpan interval) =>
            _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);

        /// <summary>True the first time, then once the interval has passed since the last true; asked for every record, so it only reads the clock.</summary>
        public bool Due()
        {
            long now = Stopwatch.GetTimestamp();
            if (_reported && now - _last < _intervalTicks) return false;
            _reported = true;
            _last = now;
            return true;
        }
    }
}
