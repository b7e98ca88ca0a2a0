using MetricaCrm.Engine.Normalization;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>
/// Values that a lenient reader turns into other values: an amount made of the digits that happen to be in a cell,
/// a phone whose letters become keypad digits, an e-mail with its '<' cut off. Each is an error, never a rewrite.
/// </summary>
public sealed class HostileValueTests
{
    [Theory]
    [InlineData("1e308")]      // was 1308
    [InlineData("2e3")]        // was 23
    [InlineData("0x1F")]       // was 1
    [InlineData("1.5k")]       // was 1.5
    [InlineData("12 and 50")]  // was 1250
    [InlineData("12 50 руб 3")]
    [InlineData("$100 USD")]
    [InlineData("1 .5")]
    [InlineData("100 штук")]
    public void An_amount_is_digits_separators_and_one_currency_mark(string raw)
    {
        var r = MoneyParser.Parse(raw);
        Assert.False(r.Ok, $"'{raw}' was read as {r.Value}");
        Assert.Equal("InvalidAmount", r.Rule);
    }

    [Theory]
    [InlineData("100 USD", 100, "USD")]
    [InlineData("$1,234.50", 1234.50, "USD")]
    [InlineData("1 234,50 руб.", 1234.50, "RUB")]
    [InlineData("1234,5 ₽", 1234.5, "RUB")]
    [InlineData("99 р.", 99, "RUB")]
    [InlineData("€ 15", 15, "EUR")]
    [InlineData("1 500", 1500, null)]
    [InlineData("1'234.5", 1234.5, null)]
    public void A_currency_mark_is_read_and_handed_to_the_caller(string raw, double value, string? currency)
    {
        var r = MoneyParser.Parse(raw, withNote: false, out var marked);
        Assert.True(r.Ok, raw + ": " + r.Error);
        Assert.Equal((decimal)value, r.Value);
        Assert.Equal(currency, marked);
    }

    [Theory]
    [InlineData("7999abc1234")]
    [InlineData("+7 (999) FLOWERS")]
    [InlineData("8-800-FLOWERS")]
    [InlineData("+7 999 555 11 11 звонить вечером")]
    public void Letters_in_a_phone_are_never_keypad_digits(string raw)
    {
        var r = new PhoneNormalizer().Normalize(raw);
        Assert.False(r.Ok, $"'{raw}' was read as {r.Value}");
        Assert.Equal("InvalidPhone", r.Rule);
    }

    [Theory]
    [InlineData("8-999-555-11-11 доб. 123", "79995551111")]
    [InlineData("+7 999 555-11-11 ext. 5", "79995551111")]
    [InlineData("+7 999 555-11-11 x5", "79995551111")]
    public void An_extension_marker_is_the_only_word_a_phone_may_carry(string raw, string expected) =>
        Assert.Equal(expected, new PhoneNormalizer().Normalize(raw).Value);

    [Theory]
    [InlineData("<script>@x.ru")]
    [InlineData("a>b@x.ru")]
    [InlineData("<a@x.ru")]
    public void Angle_brackets_are_part_of_no_address(string raw)
    {
        var r = EmailNormalizer.Normalize(raw);
        Assert.False(r.Ok, $"'{raw}' was read as {r.Value}");
        Assert.Equal("InvalidEmail", r.Rule);
    }

    [Fact]
    public void A_bracketed_address_is_read_without_its_brackets() =>
        Assert.Equal("ivan@example.ru", EmailNormalizer.Normalize("<Ivan@Example.ru>").Value);

    [Fact]
    public void An_e_mail_longer_than_SMTP_carries_is_refused_with_its_length()
    {
        var raw = new string('a', 10_000) + "@example.ru";
        var r = EmailNormalizer.Normalize(raw);
        Assert.Equal("InvalidEmail", r.Rule);
        Assert.Contains("10011", r.Error);
        Assert.True(EmailNormalizer.Normalize(new string('a', 64) + "@example.ru").Ok);
    }
}
