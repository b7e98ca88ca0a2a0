using System.Collections.Generic;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>
    /// The order of a column's d/m/y dates, as its values settle it: a first part over 12 is a day (13/04/2026), a
    /// second part over 12 is a day (04/13/2026). 04/12/2026 alone settles nothing: it is 4 December or 12 April.
    /// </summary>
    public sealed class SlashDateColumn
    {
        private SlashDateColumn(SlashDateOrder order, string? dayFirst, string? monthFirst)
        {
            Order = order;
            DayFirstExample = dayFirst;
            MonthFirstExample = monthFirst;
        }

        public SlashDateOrder Order { get; }
        /// <summary>A value whose first part is over 12, or null.</summary>
        public string? DayFirstExample { get; }
        /// <summary>A value whose second part is over 12, or null.</summary>
        public string? MonthFirstExample { get; }

        public static SlashDateColumn Of(IEnumerable<string> values)
        {
            string? dayFirst = null, monthFirst = null;
            foreach (var raw in values)
            {
                var v = raw.Trim();
                if (!TrySplit(v, out int first, out int second, out _)) continue;
                if (first > 12 && second <= 12) dayFirst ??= v;
                if (second > 12 && first <= 12) monthFirst ??= v;
            }
            var order = dayFirst != null && monthFirst != null ? SlashDateOrder.Contradictory
                : dayFirst != null ? SlashDateOrder.DayFirst : monthFirst != null ? SlashDateOrder.MonthFirst : SlashDateOrder.Unsettled;
            return new SlashDateColumn(order, dayFirst, monthFirst);
        }

        /// <summary>1-2 digits, '/', 1-2 digits, '/', a 4-digit year, and the rest (a time, or nothing).</summary>
        public static bool TrySplit(string v, out int first, out int second, out int rest)
        {
            first = second = 0;
            rest = 0;
            int i = 0;
            if (!Digits(v, ref i, out first) || i >= v.Length || v[i] != '/') return false;
            i++;
            if (!Digits(v, ref i, out second) || i >= v.Length || v[i] != '/') return false;
            int year = i + 1;
            for (i = year; i < v.Length && v[i] >= '0' && v[i] <= '9'; i++) { }
            if (i - year != 4) return false;
            rest = i;
            return i == v.Length || v[i] == ' ' || v[i] == 'T';
        }

        /// <summary>The value as d.M.yyyy[ time], which the parser reads, in the given order; null when not d/m/y.</summary>
        public static string? ToDotted(string v, bool dayFirst)
        {
            if (!TrySplit(v, out int first, out int second, out int rest)) return null;
            int day = dayFirst ? first : second, month = dayFirst ? second : first;
            return day.ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + month.ToString(System.Globalization.CultureInfo.InvariantCulture)
                + "." + v.Substring(rest - 4);
        }

        private static bool Digits(string v, ref int i, out int value)
        {
            value = 0;
            int start = i;
            while (i < v.Length && i - start < 2 && v[i] >= '0' && v[i] <= '9') value = value * 10 + (v[i++] - '0');
            return i > start;
        }
    }
}
