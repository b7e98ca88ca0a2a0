using System;
using System.Globalization;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>E-mails as Metrica matches them: trimmed, lower-case, Latin, one '@' and a dotted domain.</summary>
    public static class EmailNormalizer
    {
        public static Normalized<string> Normalize(string raw)
        {
            string text = raw.Trim().Trim('<', '>').ToLowerInvariant();
            if (text.StartsWith("mailto:", StringComparison.Ordinal)) text = text.Substring(7);
            int at = text.IndexOf('@');
            if (at <= 0 || at != text.LastIndexOf('@') || at == text.Length - 1)
                return Normalized<string>.Fail("InvalidEmail", "an e-mail address with one '@' (name@domain.tld)");
            string local = text.Substring(0, at), domain = text.Substring(at + 1);
            if (domain.IndexOf('.') <= 0 || domain.EndsWith(".", StringComparison.Ordinal) || domain.Contains(".."))
                return Normalized<string>.Fail("InvalidEmail", "an e-mail address whose domain has a dot (name@domain.tld)");

            string? mixed = MixedScript(local) ?? MixedScript(domain);
            if (mixed != null)
                return Normalized<string>.Fail("CyrillicLookalike", $"Latin letters only: {mixed}; a look-alike letter makes the address match no one");

            foreach (char c in local)
                if (c <= ' ' || c > '~' || c == '"' || c == ',' || c == ';' || c == '(' || c == ')' || c == '\\' || c == '[' || c == ']')
                    return Normalized<string>.Fail("InvalidEmail", $"an e-mail address without '{c}' in the name part");

            string asciiDomain = domain;
            if (!IsAscii(domain))
            {
                try { asciiDomain = new IdnMapping().GetAscii(domain); } // not shared: several runspaces may normalise at once
                catch (ArgumentException) { return Normalized<string>.Fail("InvalidEmail", "a valid domain name"); }
            }
            foreach (char c in asciiDomain)
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'))
                    return Normalized<string>.Fail("InvalidEmail", $"a domain of letters, digits, '-' and '.', not '{c}'");

            string result = ReferenceEquals(asciiDomain, domain) ? text : local + "@" + asciiDomain;
            string? note = result == raw ? null : asciiDomain != domain ? "e-mail lower-cased, domain converted to punycode" : "e-mail trimmed and lower-cased";
            return Normalized<string>.Success(result, note);
        }

        /// <summary>Describes a Cyrillic letter inside otherwise Latin text, or null.</summary>
        private static string? MixedScript(string part)
        {
            bool latin = false;
            int cyr = -1;
            for (int i = 0; i < part.Length; i++)
            {
                char c = part[i];
                if (c >= 'a' && c <= 'z') latin = true;
                else if (c >= '\u0400' && c <= '\u04FF' && cyr < 0) cyr = i;
            }
            if (!latin || cyr < 0) return null;
            char ch = part[cyr];
            return $"Cyrillic '{ch}' (U+{(int)ch:X4}) at position {cyr + 1} of '{part}'";
        }

        private static bool IsAscii(string s)
        {
            foreach (char c in s) if (c > 127) return false;
            return true;
        }
    }
}
