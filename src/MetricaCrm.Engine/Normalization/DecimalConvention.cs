using System.Collections.Generic;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>
    /// What one column's values show of its decimal mark, so that an amount that alone is ambiguous (1.500: 1500 or
    /// 1.5?) can be read when the column settles it. A value shows a decimal mark when it cannot be a group separator
    /// (12.5, 0.125, 1234.567, the last of two marks in 1,234.50) and a group separator when it cannot be a decimal one
    /// (1.234.567, the first mark in 1.234,50, a space between digits in 1 500,50). A file uses one group separator, so
    /// a column grouped by spaces or commas writes a lone '.' as its decimal mark. A column that shows a mark both ways
    /// settles nothing.
    /// </summary>
    public sealed class DecimalConvention
    {
        private readonly Dictionary<char, string> _decimals = new Dictionary<char, string>();
        private readonly Dictionary<char, string> _groups = new Dictionary<char, string>();
        private string? _documented;

        public static readonly DecimalConvention None = new DecimalConvention();

        /// <summary>A column whose format documents '.' as the decimal mark (Metrica's own Price column).</summary>
        public static DecimalConvention DocumentedPoint(string why)
        {
            var c = new DecimalConvention { _documented = why };
            c._decimals['.'] = "";
            return c;
        }

        /// <summary>What <paramref name="values"/> (a column's sampled cells) show.</summary>
        public static DecimalConvention Of(IEnumerable<string> values)
        {
            var c = new DecimalConvention();
            foreach (var v in values) c.Learn(v.Trim());
            return c;
        }

        private void Learn(string v)
        {
            int lastDot = v.LastIndexOf('.'), lastComma = v.LastIndexOf(',');
            for (int i = 1; i < v.Length - 1; i++)
                if (IsGroupSpace(v[i]) && IsDigit(v[i - 1]) && IsDigit(v[i + 1])) Note(_groups, ' ', v);
            if (lastDot >= 0 && lastComma >= 0)
            {
                char dec = lastDot > lastComma ? '.' : ',', group = dec == '.' ? ',' : '.';
                Note(_decimals, dec, v);
                Note(_groups, group, v);
                return;
            }
            int at = lastDot >= 0 ? lastDot : lastComma;
            if (at < 0) return;
            char sep = v[at];
            if (v.IndexOf(sep) != at) { Note(_groups, sep, v); return; }
            int after = 0, before = 0;
            for (int i = at + 1; i < v.Length && IsDigit(v[i]); i++) after++;
            int start = at;
            while (start > 0 && (IsDigit(v[start - 1]) || IsGroupSpace(v[start - 1]))) start--;
            for (int i = start; i < at; i++) if (IsDigit(v[i])) before++;
            if (after == 0 || before == 0) return;
            // 12.5 or 12.50; 0.125 (a group never follows a lone 0); 1234.567 (a group follows 1-3 digits).
            if (after != 3 || v[start] == '0' || before > 3 && !HasGroupSpace(v, start, at)) Note(_decimals, sep, v);
        }

        /// <summary>
        /// Whether a lone <paramref name="sep"/> before three digits is this column's decimal mark (true), its group
        /// separator (false) or not settled (null); <paramref name="evidence"/> is the value that settles it.
        /// </summary>
        public bool? LoneMarkIsDecimal(char sep, out string evidence)
        {
            bool isDecimal = _decimals.TryGetValue(sep, out var d), isGroup = _groups.TryGetValue(sep, out var g);
            evidence = "";
            if (isDecimal && !isGroup)
            {
                evidence = _documented ?? $"the column writes '{sep}' as its decimal mark (as in '{d}')";
                return true;
            }
            if (isGroup && !isDecimal)
            {
                evidence = $"the column writes '{sep}' as its group separator (as in '{g}')";
                return false;
            }
            if (!isDecimal && !isGroup)
                foreach (var other in _groups)
                {
                    evidence = $"the column groups digits with {(other.Key == ' ' ? "spaces" : "'" + other.Key + "'")} (as in '{other.Value}'), so '{sep}' is its decimal mark";
                    return true;
                }
            return null;
        }

        private static void Note(Dictionary<char, string> marks, char mark, string example)
        {
            if (!marks.ContainsKey(mark)) marks[mark] = example;
        }

        private static bool HasGroupSpace(string v, int from, int to)
        {
            for (int i = from; i < to; i++) if (IsGroupSpace(v[i])) return true;
            return false;
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        private static bool IsGroupSpace(char c) => c == ' ' || c == '\u00A0' || c == '\u202F' || c == '\'' || c == '’';
    }
}
