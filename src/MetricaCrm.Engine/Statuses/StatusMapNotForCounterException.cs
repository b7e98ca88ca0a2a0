using System;
using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Statuses
{
    /// <summary>
    /// A status map sends values that the counter cannot take (neither a status type nor one of its goals): found at the
    /// first order it mapped, before anything is uploaded, since uploaded data can never be taken back.
    /// </summary>
    public sealed class StatusMapNotForCounterException : Exception
    {
        public StatusMapNotForCounterException(IReadOnlyList<KeyValuePair<string, string>> entries, IEnumerable<string> allowed)
            : base("The status map sends " + string.Join(", ", entries.Select(e => $"'{e.Key}' = '{e.Value}'")) +
                   ", which the counter has neither as a status type nor as a JS goal identifier (a typo, or a goal's name instead of its identifier). " +
                   $"It takes {string.Join(", ", allowed)}; a custom status id of the counter's schema goes with detailed orders (Send-MetricaOrder). " +
                   "Nothing was sent: correct the map and send again.")
        {
            Entries = entries;
        }

        public IReadOnlyList<KeyValuePair<string, string>> Entries { get; }
    }
}
