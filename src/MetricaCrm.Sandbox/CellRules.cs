using System.Globalization;

namespace MetricaCrm.Sandbox;

/// <summary>The value rules every CDP upload shares (simple orders, contacts, detailed orders): one place for each.</summary>
public static class CellRules
{
    /// <summary>'.' as the decimal separator, no sign, no grouping.</summary>
    public static bool Money(ReadOnlySpan<char> value) => decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);

    /// <summary>Digits with country code, comma-separated; 7 to 15 digits each.</summary>
    public static bool Phones(ReadOnlySpan<char> value) => Each(value, 0, static (p, _) => p.Length is >= 7 and <= 15 && !p.ContainsAnyExceptInRange('0', '9'));

    /// <summary>Lower-case, with '@', no spaces, comma-separated.</summary>
    public static bool Emails(ReadOnlySpan<char> value) => Each(value, 0, static (e, _) => e.Contains('@') && !e.Contains(' ') && IsLowerInvariant(e));

    /// <summary>32 lower-case hex digits each, comma-separated.</summary>
    public static bool Md5(ReadOnlySpan<char> value) => Each(value, 0, static (h, _) => h.Length == 32 && !h.ContainsAnyExcept("0123456789abcdef"));

    /// <summary>Whole numbers, comma-separated, each 1 to <paramref name="maxDigits"/> digits.</summary>
    public static bool ClientIds(ReadOnlySpan<char> value, int maxDigits) =>
        Each(value, maxDigits, static (x, max) => x.Length > 0 && x.Length <= max && !x.ContainsAnyExceptInRange('0', '9'));

    /// <summary>Three upper-case Latin letters (ISO 4217).</summary>
    public static bool Currency(ReadOnlySpan<char> value) => value.Length == 3 && !value.ContainsAnyExceptInRange('A', 'Z');

    private delegate bool ItemRule(ReadOnlySpan<char> item, int limit);

    /// <summary>Whether every comma-separated item (empty ones included) keeps the rule; without splitting into strings.</summary>
    private static bool Each(ReadOnlySpan<char> value, int limit, ItemRule rule)
    {
        var rest = value;
        while (true)
        {
            int comma = rest.IndexOf(',');
            if (!rule(comma < 0 ? rest : rest[..comma], limit)) return false;
            if (comma < 0) return true;
            rest = rest[(comma + 1)..];
        }
    }

    /// <summary>The item equals its ToLowerInvariant(): a check without a copy for ASCII, the string comparison otherwise.</summary>
    private static bool IsLowerInvariant(ReadOnlySpan<char> item)
    {
        if (!item.ContainsAnyExceptInRange('\0', '\x7F')) return !item.ContainsAnyInRange('A', 'Z');
        var s = item.ToString();
        return s == s.ToLowerInvariant();
    }
}
