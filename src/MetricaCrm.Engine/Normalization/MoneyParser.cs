using System.Globalization;
using System.Text;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>
    /// Money as CRMs and Excel write it (1234.5, 1 234,50, 1,234.50, 1234,5 ₽), read without the machine's culture.
    /// A lone separator followed by exactly three digits (1,234) is ambiguous and rejected rather than guessed.
    /// Only digits, a leading '-', group and decimal separators (space, no-break space, apostrophe, ',' and '.') and
    /// one currency mark before or after the number (₽, $, €, руб., RUB...) are read: anything else (1e3, 0x1F,
    /// 1.5k, "12 and 50") is an error, never a number made of the digits that happen to be there.
    /// </summary>
    public static class MoneyParser
    {
        public const string Accepted = "an amount such as 1234.5, 1 234,50, 1,234.50 or 1234,5 ₽ (digits, separators and one currency mark)";

        public static Normalized<decimal> Parse(string raw) => Parse(raw, withNote: true, out _);

        public static Normalized<decimal> Parse(string raw, bool withNote) => Parse(raw, withNote, out _);

        /// <param name="withNote">Whether to say how the value was read (only -Explain shows it; building it costs a string per value).</param>
        /// <param name="markedCurrency">The ISO code of the currency mark written with the amount (₽ → RUB), or null: the
        /// caller checks it against the row's currency, which is what Metrica stores.</param>
        public static Normalized<decimal> Parse(string raw, bool withNote, out string? markedCurrency) =>
            Parse(raw, withNote, DecimalConvention.None, out markedCurrency);

        /// <param name="column">What the value's column shows of its decimal mark: it settles a lone mark before three
        /// digits (1.500) that alone is ambiguous.</param>
        public static Normalized<decimal> Parse(string raw, bool withNote, DecimalConvention column, out string? markedCurrency)
        {
            markedCurrency = null;
            if (IsPlain(raw) && decimal.TryParse(raw, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var plain))
                return Normalized<decimal>.Success(plain); // 1234 or 1234.56: nothing to interpret
            if (TryGrouped(raw, out var grouped))
                return Normalized<decimal>.Success(grouped, withNote ? "amount read as " + grouped.ToString(CultureInfo.InvariantCulture) : null);
            string body = raw.Trim();
            if (!SplitMark(ref body, out var mark)) return Normalized<decimal>.Fail("InvalidAmount", Accepted);
            if (mark != null)
            {
                var currency = CurrencyCodes.Normalize(mark);
                if (!currency.Ok) return Normalized<decimal>.Fail("InvalidAmount", $"{Accepted}; '{mark}' is not a currency");
                markedCurrency = currency.Value;
            }
            var sb = new StringBuilder(body.Length);
            for (int i = 0; i < body.Length; i++)
            {
                char c = body[i];
                if (c >= '0' && c <= '9' || c == '.' || c == ',' || c == '-') sb.Append(c);
                // Group separators stand between digits only: "12 and 50" or "1 .5" is not one amount.
                else if (IsGroupSpace(c) && i > 0 && i < body.Length - 1 && IsDigit(body[i - 1]) && IsDigit(body[i + 1])) continue;
                else return Normalized<decimal>.Fail("InvalidAmount", Accepted);
            }
            string text = sb.ToString().TrimEnd('.', ',');
            if (text.Length == 0 || text == "-") return Normalized<decimal>.Fail("InvalidAmount", Accepted);
            if (text.IndexOf('-') > 0) return Normalized<decimal>.Fail("InvalidAmount", Accepted);

            int lastDot = text.LastIndexOf('.'), lastComma = text.LastIndexOf(',');
            string canonical;
            if (lastDot >= 0 && lastComma >= 0)
            {
                char dec = lastDot > lastComma ? '.' : ',', group = dec == '.' ? ',' : '.';
                if (Count(text, dec) > 1) return Normalized<decimal>.Fail("InvalidAmount", Accepted);
                canonical = text.Replace(group.ToString(), "").Replace(dec, '.');
            }
            else if (lastDot >= 0 || lastComma >= 0)
            {
                char sep = lastDot >= 0 ? '.' : ',';
                int count = Count(text, sep), digitsAfter = text.Length - text.LastIndexOf(sep) - 1;
                if (count > 1) canonical = text.Replace(sep.ToString(), ""); // 1,234,567 or 1.234.567: group separators
                else if (digitsAfter == 3 && text.TrimStart('-').IndexOf(sep) <= 3 && text.TrimStart('-')[0] != '0')
                {
                    var settled = column.LoneMarkIsDecimal(sep, out var why);
                    if (settled == null)
                        return Normalized<decimal>.Fail("AmbiguousAmount", $"an unambiguous amount: '{raw.Trim()}' may be thousands or a fraction, and no other value of the column settles which; write 1234 or 1234.000");
                    canonical = settled.Value ? text.Replace(sep, '.') : text.Replace(sep.ToString(), "");
                    if (!decimal.TryParse(canonical, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var read))
                        return Normalized<decimal>.Fail("InvalidAmount", Accepted);
                    if (read < 0) return Normalized<decimal>.Fail("NegativeAmount", "an amount of zero or more");
                    // The column, not the value, decided how it reads: -Explain says so (and the verbose stream, once a column).
                    return Normalized<decimal>.Success(read, "amount read as " + read.ToString(CultureInfo.InvariantCulture) + ": " + why);
                }
                else canonical = text.Replace(sep, '.');
            }
            else canonical = text;

            if (!decimal.TryParse(canonical, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                return Normalized<decimal>.Fail("InvalidAmount", Accepted);
            if (value < 0) return Normalized<decimal>.Fail("NegativeAmount", "an amount of zero or more");
            string? note = canonical == raw || !withNote ? null : "amount read as " + value.ToString(CultureInfo.InvariantCulture);
            return Normalized<decimal>.Success(value, note);
        }

        /// <summary>
        /// The usual Russian shape, 1 234,50 (or 1234,5, or 1 234.50): digits with spaces anywhere between them, then
        /// optionally one ',' or '.' and one or two digits, read without building strings. What the general rules
        /// make of it (spaces dropped, the lone separator a decimal point), nothing else; every other shape is theirs.
        /// </summary>
        private static bool TryGrouped(string s, out decimal value)
        {
            value = 0;
            long units = 0;
            int digits = 0, i = 0, scale = 0;
            for (; i < s.Length; i++)
            {
                char c = s[i];
                if (c >= '0' && c <= '9')
                {
                    if (++digits > 18) return false;
                    units = units * 10 + (c - '0');
                }
                else if (c == ' ' || c == '\u00A0' || c == '\u202F') continue;
                else if ((c == ',' || c == '.') && digits > 0 && IsDigit(s[i - 1])) break;
                else return false;
            }
            if (digits == 0) return false;
            if (i < s.Length)
            {
                for (i++; i < s.Length && s[i] >= '0' && s[i] <= '9'; i++)
                {
                    if (++scale > 2) return false;
                    units = units * 10 + (s[i] - '0');
                }
                if (scale == 0) return false;
                for (; i < s.Length; i++)
                    if (s[i] != ' ' && s[i] != '\u00A0' && s[i] != '\u202F') return false;
            }
            value = new decimal((int)(units & 0xFFFFFFFF), (int)(units >> 32), 0, false, (byte)scale);
            return true;
        }

        /// <summary>Digits with at most one '.', which is not followed by exactly three digits (1.234 stays ambiguous).</summary>
        private static bool IsPlain(string s)
        {
            int dot = -1;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c == '.') { if (dot >= 0 || i == 0) return false; dot = i; }
                else if (c < '0' || c > '9') return false;
            }
            return s.Length > 0 && dot != s.Length - 1 && (dot < 0 || s.Length - dot - 1 != 3);
        }

        private static bool IsDigit(char c) => c >= '0' && c <= '9';

        private static bool IsGroupSpace(char c) => c == ' ' || c == '\u00A0' || c == '\u202F' || c == '\'' || c == '’';

        /// <summary>Takes one currency mark off the start or the end of <paramref name="body"/> (a sign such as ₽ or $,
        /// or a word such as руб., р. or USD, with or without a space); false when both ends carry one.</summary>
        private static bool SplitMark(ref string body, out string? mark)
        {
            mark = null;
            int end = body.Length;
            if (end > 1 && body[end - 1] == '.' && char.IsLetter(body[end - 2])) end--; // руб., р.
            while (end > 0 && IsMarkChar(body[end - 1])) end--;
            int start = 0;
            while (start < end && IsMarkChar(body[start])) start++;
            if (end < body.Length && start > 0) return false;
            if (end < body.Length) { mark = body.Substring(end); body = body.Substring(0, end).TrimEnd(); }
            else if (start > 0) { mark = body.Substring(0, start); body = body.Substring(start).TrimStart(); }
            return true;
        }

        private static bool IsMarkChar(char c) => char.IsLetter(c) || c == '₽' || c == '$' || c == '€' || c == '£' || c == '¥' || c == '₸';

        private static int Count(string s, char c)
        {
            int n = 0;
            foreach (char x in s) if (x == c) n++;
            return n;
        }
    }
}
