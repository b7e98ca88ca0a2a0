using MetricaCrm.Engine.Normalization;
using Xunit;

namespace MetricaCrm.Engine.Tests;

public sealed class NormalizationTests
{
    [Theory]
    [InlineData("mail@yandex.ru", "3c56ff8fef0f6c65b36b2d25720fe276")]
    [InlineData("79995551111", "f09f2c3d48f31e2a802944ade2e5aec5")]
    public void Md5_matches_Yandex_vectors(string value, string hash) => Assert.Equal(hash, IdentifierHash.Md5Hex(value));

    [Theory]
    [InlineData("+7 (999) 555-11-11")]
    [InlineData("8 999 555 11 11")]
    [InlineData("8-999-555-11-11 доб. 123")]
    [InlineData("9995551111")]
    [InlineData("007 999 5551111")]
    [InlineData("79995551111")]
    [InlineData("+79995551111")]
    public void Russian_phone_shapes_become_one_number(string raw)
    {
        var r = new PhoneNormalizer("RU").Normalize(raw);
        Assert.True(r.Ok, r.Error);
        Assert.Equal("79995551111", r.Value);
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("+7 (000) 000-00-00")]
    [InlineData("телефон")]
    [InlineData("8 999 555")]
    public void Impossible_phones_are_rejected(string raw) => Assert.Equal("InvalidPhone", new PhoneNormalizer("RU").Normalize(raw).Rule);

    [Fact]
    public void Default_region_decides_numbers_without_country_code()
    {
        Assert.Equal("77012345678", new PhoneNormalizer("KZ").Normalize("8 701 234 56 78").Value);
        Assert.Equal("442079460000", new PhoneNormalizer("GB").Normalize("020 7946 0000").Value);
        Assert.Equal("393123456789", new PhoneNormalizer("RU").Normalize("+39 312 345 6789").Value);
        Assert.Equal("390612345678", new PhoneNormalizer("RU").Normalize("+39 06 1234 5678").Value); // Italian leading zero kept
    }

    /// <summary>The fast path must give exactly what libphonenumber's full parse gives, valid or not.</summary>
    [Fact]
    public void Fast_path_agrees_with_the_library_on_generated_numbers()
    {
        var rnd = new Random(1234);
        var ru = new PhoneNormalizer("RU");
        string[] shapes = { "+7 ({0}) {1}-{2}-{3}", "8 {0} {1} {2} {3}", "{0}{1}{2}{3}", "+7{0}{1}{2}{3}", "8({0}){1}-{2}-{3}", "+{4} {0} {1}{2}" };
        int fast = 0;
        for (int i = 0; i < 20000; i++)
        {
            var code = rnd.Next(10, 1000).ToString("D3");
            var shape = shapes[rnd.Next(shapes.Length)];
            var text = string.Format(shape, code, rnd.Next(100, 1000), rnd.Next(10, 100), rnd.Next(10, 100), rnd.Next(1, 999));
            if (ru.TryFastPath(text) != null) fast++;
            var viaNormalize = ru.Normalize(text);
            var viaLibrary = ru.ParseWithLibrary(text.Trim());
            Assert.True(viaLibrary.Ok == viaNormalize.Ok, $"'{text}': library {viaLibrary.Value ?? viaLibrary.Error}, normalize {viaNormalize.Value ?? viaNormalize.Error}");
            if (viaLibrary.Ok) Assert.Equal(viaLibrary.Value, viaNormalize.Value);
        }
        Assert.True(fast > 12000, $"fast path taken {fast} times");
    }

    [Theory]
    [InlineData("  Mail@Yandex.RU ", "mail@yandex.ru")]
    [InlineData("<user.name+tag@example.com>", "user.name+tag@example.com")]
    [InlineData("ivan@почта.рф", "ivan@xn--80a1acny.xn--p1ai")]
    public void Emails_are_trimmed_and_lower_cased(string raw, string expected) => Assert.Equal(expected, EmailNormalizer.Normalize(raw).Value);

    [Theory]
    [InlineData("no-at-sign.ru", "InvalidEmail")]
    [InlineData("a@b", "InvalidEmail")]
    [InlineData("a@@b.ru", "InvalidEmail")]
    [InlineData("ivаn@mail.ru", "CyrillicLookalike")] // Cyrillic 'а'
    [InlineData("ivan@yаndex.ru", "CyrillicLookalike")]
    public void Bad_emails_are_rejected(string raw, string rule) => Assert.Equal(rule, EmailNormalizer.Normalize(raw).Rule);

    [Theory]
    [InlineData("1234.5", 1234.5)]
    [InlineData("1 234,50", 1234.50)]
    [InlineData("1,234.50", 1234.50)]
    [InlineData("1.234,50", 1234.50)]
    [InlineData("1234,5 ₽", 1234.5)]
    [InlineData("1\u00A0234 руб.", 1234)]
    [InlineData("1,234,567", 1234567)]
    [InlineData("0,125", 0.125)]
    public void Money_is_read_without_culture(string raw, double expected) => Assert.Equal((decimal)expected, MoneyParser.Parse(raw).Value);

    [Theory]
    [InlineData("1,234", "AmbiguousAmount")]
    [InlineData("-5", "NegativeAmount")]
    [InlineData("abc", "InvalidAmount")]
    [InlineData("1.2.3,4,5", "InvalidAmount")]
    public void Bad_money_is_rejected(string raw, string rule) => Assert.Equal(rule, MoneyParser.Parse(raw).Rule);

    /// <summary>The "1 234,50" fast path gives what the general rules give: the same value, scale and note.</summary>
    [Fact]
    public void Grouped_amounts_read_as_the_general_rules_read_them()
    {
        var rnd = new Random(77);
        for (int i = 0; i < 2000; i++)
        {
            string digits = rnd.Next(0, 10_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var sb = new System.Text.StringBuilder();
            for (int d = 0; d < digits.Length; d++)
            {
                if (d > 0 && (digits.Length - d) % 3 == 0 && rnd.Next(2) == 0) sb.Append(rnd.Next(3) switch { 0 => ' ', 1 => '\u00A0', _ => '\u202F' });
                sb.Append(digits[d]);
            }
            int decimals = rnd.Next(0, 3);
            string fraction = decimals == 0 ? "" : rnd.Next(0, decimals == 1 ? 10 : 100).ToString("D" + decimals, System.Globalization.CultureInfo.InvariantCulture);
            string raw = (rnd.Next(4) == 0 ? " " : "") + sb + (decimals > 0 ? (rnd.Next(2) == 0 ? "," : ".") + fraction : "") + (rnd.Next(4) == 0 ? " " : "");
            var expected = decimal.Parse(digits + (decimals > 0 ? "." + fraction : ""), System.Globalization.CultureInfo.InvariantCulture);
            var read = MoneyParser.Parse(raw);
            Assert.True(read.Ok, raw);
            Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), read.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            string canonical = digits + (decimals > 0 ? "." + fraction : "");
            Assert.Equal(canonical == raw ? null : "amount read as " + expected.ToString(System.Globalization.CultureInfo.InvariantCulture), read.Note);
            Assert.Null(MoneyParser.Parse(raw, withNote: false).Note);
        }
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static CrmDateTimeParser Moscow => new(CrmDateTimeParser.ResolveZone("Europe/Moscow"), () => Now);

    [Theory]
    [InlineData("31.12.2024 18:30", "2024-12-31T15:30:00+00:00")]
    [InlineData("31.12.2024 18:30:15", "2024-12-31T15:30:15+00:00")]
    [InlineData("1.2.2025 9:05", "2025-02-01T06:05:00+00:00")]
    [InlineData("31.12.24 18:30", "2024-12-31T15:30:00+00:00")]
    [InlineData("2024-12-31 18:30:00", "2024-12-31T15:30:00+00:00")]
    [InlineData("2024-12-31T18:30", "2024-12-31T15:30:00+00:00")]
    [InlineData("2024-12-31T18:30:00Z", "2024-12-31T18:30:00+00:00")]
    [InlineData("2024-12-31T18:30:00+05:00", "2024-12-31T13:30:00+00:00")]
    [InlineData("1735669800", "2024-12-31T18:30:00+00:00")]
    [InlineData("31.12.2024", "2024-12-31T20:59:59+00:00")]
    public void Date_times_become_instants(string raw, string utc)
    {
        var r = Moscow.Parse(raw);
        Assert.True(r.Ok, r.Error);
        Assert.Equal(DateTimeOffset.Parse(utc), r.Value);
    }

    [Fact]
    public void Windows_zone_ids_work_too() =>
        Assert.Equal(DateTimeOffset.Parse("2024-12-31T15:30:00Z"),
            new CrmDateTimeParser(CrmDateTimeParser.ResolveZone("Russian Standard Time"), () => Now).Parse("31.12.2024 18:30").Value);

    /// <summary>
    /// A Windows id and its IANA name read a local time to the same instant, on any OS: .NET Framework knows only the
    /// first, Mono on Linux only the second, TimeZoneConverter maps between them. Moscow in 2012 was UTC+4 (the rules
    /// changed in 2011 and 2014); Berlin and New York change with the seasons.
    /// </summary>
    [Theory]
    [InlineData("Russian Standard Time", "Europe/Moscow", "15.07.2012 12:00", "2012-07-15T08:00:00Z")]
    [InlineData("Russian Standard Time", "Europe/Moscow", "15.01.2015 12:00", "2015-01-15T09:00:00Z")]
    [InlineData("W. Europe Standard Time", "Europe/Berlin", "15.01.2025 12:00", "2025-01-15T11:00:00Z")]
    [InlineData("W. Europe Standard Time", "Europe/Berlin", "15.07.2025 12:00", "2025-07-15T10:00:00Z")]
    [InlineData("Eastern Standard Time", "America/New_York", "15.07.2025 12:00", "2025-07-15T16:00:00Z")]
    [InlineData("Ekaterinburg Standard Time", "Asia/Yekaterinburg", "2025-03-30 02:30", "2025-03-29T21:30:00Z")]
    public void Windows_and_IANA_zone_ids_read_local_times_alike(string windowsId, string ianaId, string local, string utc)
    {
        foreach (var id in new[] { windowsId, ianaId, " " + ianaId + " " })
        {
            var r = new CrmDateTimeParser(CrmDateTimeParser.ResolveZone(id), () => Now).Parse(local);
            Assert.True(r.Ok, id + ": " + r.Error);
            Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), r.Value);
        }
        Assert.Contains(ianaId, CrmDateTimeParser.KnownZoneIds());
    }

    [Fact]
    public void An_unknown_zone_id_names_both_kinds_of_id()
    {
        var ex = Assert.Throws<ArgumentException>(() => CrmDateTimeParser.ResolveZone("Mars/Olympus_Mons"));
        Assert.Contains("Europe/Moscow", ex.Message);
        Assert.Contains("Russian Standard Time", ex.Message);
    }

    [Theory]
    [InlineData("31.12.1969 23:00", "DateBefore1970")]
    [InlineData("2026-11-23 10:00", "FutureDateTime")]
    [InlineData("32.01.2024", "InvalidDateTime")]
    [InlineData("12/31/2024", "InvalidDateTime")]
    [InlineData("2024-02-30 10:00", "InvalidDateTime")]
    public void Bad_date_times_are_rejected(string raw, string rule) => Assert.Equal(rule, Moscow.Parse(raw).Rule);

    [Theory]
    [InlineData("RUB", "RUB")]
    [InlineData("rub", "RUB")]
    [InlineData("RUR", "RUB")]
    [InlineData("руб.", "RUB")]
    [InlineData("EUR", "EUR")]
    public void Currencies_are_ISO_4217(string raw, string code) => Assert.Equal(code, CurrencyCodes.Normalize(raw).Value);

    [Fact]
    public void Unknown_currency_is_rejected() => Assert.Equal("InvalidCurrency", CurrencyCodes.Normalize("XYZ").Rule);
}
