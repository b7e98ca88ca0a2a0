using System.Globalization;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>
    /// A value as errors and reject files show it: whole when short, else its start and its length, so one huge cell
    /// cannot make a message (or a log, or a reject file) as large as itself.
    /// </summary>
    public static class ValueText
    {
        /// <summary>The longest value shown whole.</summary>
        public const int MaxShown = 200;

        /// <summary>The characters kept of a longer one.</summary>
        public const int Kept = 100;

        /// <summary>'value', or 'start…' (N characters) when it is longer than <see cref="MaxShown"/> or was cut.</summary>
        /// <param name="length">The value's length in the input, when <paramref name="value"/> is only its start.</param>
        public static string Quoted(string? value, long? length = null)
        {
            if (value == null) return "''";
            long total = length ?? value.Length;
            if (total <= MaxShown && total == value.Length) return "'" + value + "'";
            return "'" + Start(value) + "…' (" + Count(total) + " characters)";
        }

        /// <summary>The value for a reject file's cell: whole when short, else 'start… (N characters)'.</summary>
        public static string? Cell(string? value, long? length = null)
        {
            if (value == null) return null;
            long total = length ?? value.Length;
            if (total == value.Length && (length != null || total <= MaxShown)) return value;
            return Start(value) + "… (" + Count(total) + " characters)";
        }

        public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

        private static string Start(string value)
        {
            int n = System.Math.Min(Kept, value.Length);
            // Not between the halves of a surrogate pair.
            if (n > 0 && n < value.Length && char.IsHighSurrogate(value[n - 1])) n--;
            return value.Substring(0, n);
        }
    }
}
