using System.Globalization;

namespace MetricaCrm.Sandbox;

/// <summary>The value rules every upload shares (simple orders, contacts, detailed orders, offline files): one place for each.</summary>
public static class CellRules
{
    /// <summary>Active ISO 4217 codes (funds, metals and testing codes left out): the docs name ISO 4217 for every currency column.</summary>
    public static readonly HashSet<string> Currencies = new((
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP " +
        "CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR " +
        "ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT " +
        "MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD " +
        "SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND " +
        "VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG").Split(' '), StringComparer.Ordinal);

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> CurrencyLookup = Currencies.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The largest ClientID: the OpenAPI schema types client_ids as int64.</summary>
    private const string Int64Max = "9223372036854775807";

    /// <summary>'.' as the decimal separator, no sign, no grouping.</summary>
    public static bool Money(ReadOnlySpan<char> value) => decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _);

    /// <summary>Digits with country code, comma-separated; 7 to 15 digits each.</summary>
    public static bool Phones(ReadOnlySpan<char> value) => Each(value, 0, static (p, _) => p.Length is >= 7 and <= 15 && !p.ContainsAnyExceptInRange('0', '9'));

    /// <summary>
    /// "A Latin string with '@' and a domain name, no capitals" (hashing.md, simple-orders-data): one '@' after a name of
    /// printable ASCII, a domain of lower-case letters, digits, '-' and '.' with a dot inside it; comma-separated.
    /// </summary>
    public static bool Emails(ReadOnlySpan<char> value) => Each(value, 0, static (e, _) => IsEmail(e));

    /// <summary>32 lower-case hex digits each, comma-separated.</summary>
    public static bool Md5(ReadOnlySpan<char> value) => Each(value, 0, static (h, _) => h.Length == 32 && !h.ContainsAnyExcept("0123456789abcdef"));

    /// <summary>Positive whole numbers that fit int64 (the schema's type of client_ids), comma-separated.</summary>
    public static bool ClientIds(ReadOnlySpan<char> value) => Each(value, 0, static (x, _) => IsClientId(x));

    /// <summary>One ClientID: digits, not all zeros, at most <see cref="long.MaxValue"/>.</summary>
    public static bool IsClientId(ReadOnlySpan<char> x)
    {
        if (x.Length == 0 || x.ContainsAnyExceptInRange('0', '9') || !x.ContainsAnyExcept('0')) return false;
        var digits = x.TrimStart('0');
        return digits.Length < Int64Max.Length || digits.Length == Int64Max.Length && digits.SequenceCompareTo(Int64Max) <= 0;
    }

    /// <summary>An active ISO 4217 code, in upper case as the standard writes it.</summary>
    public static bool Currency(ReadOnlySpan<char> value) => value.Length == 3 && CurrencyLookup.Contains(value);

    private static bool IsEmail(ReadOnlySpan<char> e)
    {
        int at = e.IndexOf('@');
        if (at <= 0 || at != e.LastIndexOf('@') || at == e.Length - 1) return false;
        foreach (char c in e[..at])
            if (c <= ' ' || c > '~' || c is '"' or '(' or ')' or ';' or '\\' or '[' or ']' or '<' or '>' || c is >= 'A' and <= 'Z') return false;
        var domain = e[(at + 1)..];
        if (domain[0] == '.' || domain[^1] == '.' || !domain.Contains('.') || domain.IndexOf("..") >= 0) return false;
        foreach (char c in domain)
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '.')) return false;
        return true;
    }

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
}
