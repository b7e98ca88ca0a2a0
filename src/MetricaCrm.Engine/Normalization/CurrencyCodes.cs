using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>ISO 4217 codes in use, taken from the cultures .NET knows, plus common spellings of the rouble.</summary>
    public static class CurrencyCodes
    {
        private static readonly Lazy<HashSet<string>> Known = new Lazy<HashSet<string>>(() =>
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
            {
                try { set.Add(new RegionInfo(culture.Name).ISOCurrencySymbol); }
                catch (ArgumentException) { }
            }
            foreach (var code in new[] { "RUB", "USD", "EUR", "KZT", "BYN", "UAH", "UZS", "AMD", "GEL", "AZN", "KGS", "TJS", "TRY", "CNY", "GBP", "CHF", "JPY", "AED" })
                set.Add(code);
            return set;
        });

        private static readonly Dictionary<string, string> Aliases = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["RUR"] = "RUB", ["руб"] = "RUB", ["руб."] = "RUB", ["р."] = "RUB", ["₽"] = "RUB", ["рубль"] = "RUB", ["рублей"] = "RUB",
            ["р"] = "RUB", ["$"] = "USD", ["€"] = "EUR", ["£"] = "GBP", ["тенге"] = "KZT", ["₸"] = "KZT",
        };

        /// <summary>Every code <see cref="Normalize"/> accepts as such, sorted (for completion).</summary>
        public static IEnumerable<string> All => Known.Value.OrderBy(c => c, StringComparer.Ordinal);

        public static Normalized<string> Normalize(string raw)
        {
            string text = raw.Trim();
            if (Aliases.TryGetValue(text, out var alias)) return Normalized<string>.Success(alias, $"currency '{text}' read as {alias}");
            string upper = text.ToUpperInvariant();
            if (upper.Length == 3 && upper.All(c => c >= 'A' && c <= 'Z') && Known.Value.Contains(upper))
                return Normalized<string>.Success(upper, upper == text ? null : "currency upper-cased");
            return Normalized<string>.Fail("InvalidCurrency", "an ISO 4217 currency code such as RUB, USD or EUR");
        }
    }
}
