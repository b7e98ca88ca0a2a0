using System;
using System.Globalization;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>E-mails as Metrica matches them: trimmed, lower-case, Latin, one '@' and a dotted domain.</summary>
    public static class EmailNormalizer
    {
        /// <summary>The longest address SMTP carries (RFC 5321's path limit less its angle brackets).</summary>
        public const int MaxLength = 254;

        public static Normalized<string> Normalize(string raw)
        {
            string text = raw.Trim().ToLowerInvariant();
            // <name@domain.tld> as mail programs write it; a lone '<' or '>' is part of no address.
            if (text.Length > 1 && text[0] == '<' && text[text.Length - 1] == '>') text = text.Substring(1, text.Length - 2).Trim();
            if (text.StartsWith("mailto:", StringComparison.Ordinal)) text = text.Substring(7);
            if (text.Length > MaxLength)
                return Normalized<string>.Fail("InvalidEmail", $"an e-mail address of at most {MaxLength} characters (RFC 5321); this one has {text.Length}");
            int at = text.IndexOf('@');
            if (at <= 0 || at != text.LastIndexOf('@') || at == text.Length - 1)
                return Normalized<string>.Fail("InvalidEmail", "an e-mail address with one '@' (name@domain.tld)");
            // The name part is text[0, at), the domain text[at + 1, end): checked in place, no substrings unless needed.
            int domainStart = at + 1, firstDot = text.IndexOf('.', domainStart);
            if (firstDot < 0 || firstDot == domainStart || text[text.Length - 1] == '.' || text.IndexOf("..", domainStart, StringComparison.Ordinal) >= 0)
                return Normalized<string>.Fail("InvalidEmail", "an e-mail address whose domain has a dot (name@domain.tld)");

            string? mixed = MixedScript(text, 0, at) ?? MixedScript(text, domainStart, text.Length);
            if (mixed != null)
                return Normalized<string>.Fail("CyrillicLookalike", $"Latin letters only: {mixed}; a look-alike letter makes the address match no one");

            for (int i = 0; i < at; i++)
            {
                char c = text[i];
                if (c <= ' ' || c > '~' || c == '"' || c == ',' || c == ';' || c == '(' || c == ')' || c == '\\' || c == '[' || c == ']' || c == '<' || c == '>')
                    return Normalized<string>.Fail("InvalidEmail", $"an e-mail address without '{c}' in the name part");
            }

            string result = text;
            bool punycode = !IsAscii(text, domainStart);
            if (punycode)
            {
                string domain = text.Substring(domainStart), asciiDomain;
                try { asciiDomain = new IdnMapping().GetAscii(domain); } // not shared: several runspaces may normalise at once
                catch (ArgumentException) { return Normalized<string>.Fail("InvalidEmail", "a valid domain name"); }
                punycode = asciiDomain != domain;
                result = text.Substring(0, at) + "@" + asciiDomain;
            }
            for (int i = result.IndexOf('@') + 1; i < result.Length; i++)
            {
                char c = result[i];
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'))
                    return Normalized<string>.Fail("InvalidEmail", $"a domain of letters, digits, '-' and '.', not '{c}'");
            }

            string? note = result == raw ? null : punycode ? "e-mail lower-cased, domain converted to punycode" : "e-mail trimmed and lower-cased";
            return Normalized<string>.Success(result, note);
        }

        /// <summary>Describes a Cyrillic letter inside otherwise Latin text (of <paramref name="s"/> from start to end), or null.</summary>
        private static string? MixedScript(string s, int start, int end)
        {
            bool latin = false;
            int cyr = -1;
            for (int i = start; i < end; i++)
            {
                char c = s[i];
                if (c >= 'a' && c <= 'z') latin = true;
                else if (c >= '\u0400' && c <= '\u04FF' && cyr < 0) cyr = i;
            }
            if (!latin || cyr < 0) return null;
            char ch = s[cyr];
            return $"Cyrillic '{ch}' (U+{(int)ch:X4}) at position {cyr - start + 1} of '{s.Substring(start, end - start)}'";
        }

        private static bool IsAscii(string s, int start)
        {
            for (int i = start; i < s.Length; i++) if (s[i] > 127) return false;
            return true;
        }
    }
}
