using System;
using System.Collections.Generic;

namespace MetricaCrm.Engine.Orders
{
    /// <summary>
    /// Metrica's time windows for orders (fact sheet §5): an order links to sessions only if it was created within 21
    /// days of the upload; a linked order's status, amount and products can change for 111 days. Older orders are still
    /// accepted (they show in "Users and customers"), so they are counted and reported once, or skipped when asked.
    /// </summary>
    public sealed class OrderWindows
    {
        public static readonly TimeSpan LinkWindow = TimeSpan.FromDays(21);
        public static readonly TimeSpan EditWindow = TimeSpan.FromDays(111);
        private readonly Func<DateTimeOffset> _now;
        private readonly TimeSpan? _maxAge;

        /// <param name="maxAge">Orders created longer ago than this are skipped instead of sent; null sends them all.</param>
        public OrderWindows(TimeSpan? maxAge, Func<DateTimeOffset>? now = null)
        {
            _maxAge = maxAge;
            _now = now ?? (() => DateTimeOffset.UtcNow);
        }

        public long NotLinked { get; private set; }
        public long BeyondEdits { get; private set; }

        /// <summary>Why the order is skipped, or null when it is sent (and counted when it falls outside a window).</summary>
        public string? Skip(CrmOrder order)
        {
            var age = _now() - order.CreateDateTime;
            if (_maxAge != null && age > _maxAge.Value)
                return $"created {age.TotalDays:0} days ago, longer ago than the maximum age of {_maxAge.Value.TotalDays:0.#} days";
            if (age > LinkWindow) NotLinked++;
            if (age > EditWindow) BeyondEdits++;
            return null;
        }

        public IEnumerable<string> Warnings()
        {
            if (NotLinked > 0)
                yield return $"{NotLinked} order(s) were created more than 21 days ago: Metrica keeps them (Users and customers) but will not link them to visits.";
            if (BeyondEdits > 0)
                yield return $"{BeyondEdits} order(s) were created more than 111 days ago: Metrica no longer applies changes of status, amount or products to orders linked that long ago.";
        }
    }
}
