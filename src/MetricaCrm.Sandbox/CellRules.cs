using System.Globalization;

namespace MetricaCrm.Sandbox;

/// <summary>The value rules every CDP upload shares (simple orders, contacts, detailed orders): one place for each.</summary>
public static class CellRules
{
    /// <summary>'.' as the decimal separator, no sign, no grouping.</summary>
    public static bool Money(string value) => decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);

    /// <summary>Digits with country code, comma-separated; 7 to 15 digits each.</summary>
    public static bool Phones(string value) => value.Split(',').All(p => p.Length is >= 7 and <= 15 && p.All(char.IsAsciiDigit));

    /// <summary>Lower-case, with '@', no spaces, comma-separated.</summary>
    public static bool Emails(string value) => value.Split(',').All(e => e.Contains('@') && e == e.ToLowerInvariant() && !e.Contains(' '));

    /// <summary>32 lower-case hex digits each, comma-separated.</summary>
    public static bool Md5(string value) => value.Split(',').All(h => h.Length == 32 && h.All(Uri.IsHexDigit) && h == h.ToLowerInvariant());

    /// <summary>Whole numbers, comma-separated, each 1 to <paramref name="maxDigits"/> digits.</summary>
    public static bool ClientIds(string value, int maxDigits) => value.Split(',').All(x => x.Length > 0 && x.Length <= maxDigits && x.All(char.IsAsciiDigit));

    /// <summary>Three upper-case Latin letters (ISO 4217).</summary>
    public static bool Currency(string value) => value.Length == 3 && value.All(char.IsAsciiLetterUpper);
}
