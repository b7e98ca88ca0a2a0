using System.IO;
using System.Linq;
using System.Text;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Normalization;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>Issue 21: the value-level rules behind real exports' shapes (backslash quotes, d/m/y dates, 1.500).</summary>
public sealed class ImportShapeTests
{
    /// <summary>A stream that gives one byte a read: every escape and quote falls on a read boundary somewhere.</summary>
    private sealed class Trickle : MemoryStream
    {
        public Trickle(byte[] bytes) : base(bytes) { }
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, count == 0 ? 0 : 1);
    }

    private static string Translate(string text, bool trickle)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        using var s = new BackslashQuoteStream(trickle ? new Trickle(bytes) : new MemoryStream(bytes), ';');
        using var reader = new StreamReader(s, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Backslash_quotes_become_the_doubled_quotes_CsvHelper_reads(bool trickle)
    {
        Assert.Equal("\"ООО \"\"Ромашка\"\"; закупки\";x\n", Translate("\"ООО \\\"Ромашка\\\"; закупки\";x\n", trickle));
        Assert.Equal("\"C:\\Clients\\Пётр\";\"a\\b\"\n", Translate("\"C:\\\\Clients\\\\Пётр\";\"a\\b\"\n", trickle));
        // Outside quotes \" is a quote kept as text; a quoted value ending in \\ closes after it; "" inside stays RFC's.
        Assert.Equal("ООО \"Р\";\"end\\\";\"a\"\"b\"\n", Translate("ООО \\\"Р\\\";\"end\\\\\";\"a\"\"b\"\n", trickle));
        Assert.Equal("a\\", Translate("a\\", trickle)); // a backslash at the very end is kept
    }

    [Theory]
    [InlineData("894.729", "12.5", 894.729)]      // another value writes '.' as the decimal mark
    [InlineData("1.500", "1 500,50", 1.5)]        // digits grouped by spaces: '.' is not the group separator
    [InlineData("1.500", "1,234.50", 1.5)]        // ',' groups, '.' marks decimals
    [InlineData("1.500", "1.234.567", 1500)]      // '.' groups
    [InlineData("1,500", "1 500", 1.5)]           // spaces group: ',' marks decimals
    public void A_lone_mark_before_three_digits_is_read_as_the_column_settles(string raw, string other, double expected)
    {
        var r = MoneyParser.Parse(raw, true, DecimalConvention.Of(new[] { raw, other }), out _);
        Assert.True(r.Ok, r.Error);
        Assert.Equal((decimal)expected, r.Value);
        Assert.StartsWith("amount read as ", r.Note);
    }

    [Theory]
    [InlineData("1.500", "900")]                  // nothing else says
    [InlineData("1.500", "12,5")]                 // ',' marks decimals, yet a lone '.' may be either
    [InlineData("1,500", "12.5")]
    [InlineData("1.500", "12.5", "1.234.567")]    // '.' both ways: the column settles nothing
    public void A_lone_mark_the_column_does_not_settle_stays_ambiguous(string raw, params string[] others)
    {
        var r = MoneyParser.Parse(raw, true, DecimalConvention.Of(others.Append(raw)), out _);
        Assert.Equal("AmbiguousAmount", r.Rule);
    }

    [Fact]
    public void Metricas_documented_Price_reads_a_point_as_the_decimal_mark()
    {
        var r = MoneyParser.Parse("1.500", true, DecimalConvention.DocumentedPoint("Price"), out _);
        Assert.Equal(1.5m, r.Value);
        Assert.Equal("AmbiguousAmount", MoneyParser.Parse("1,500", true, DecimalConvention.DocumentedPoint("Price"), out _).Rule);
    }

    [Theory]
    [InlineData(new[] { "04/12/2026 9:05:00", "13/11/2026" }, SlashDateOrder.DayFirst)]
    [InlineData(new[] { "04/12/2026", "11/13/2026 10:00" }, SlashDateOrder.MonthFirst)]
    [InlineData(new[] { "04/12/2026", "05/11/2026" }, SlashDateOrder.Unsettled)]
    [InlineData(new[] { "13/04/2026", "04/13/2026" }, SlashDateOrder.Contradictory)]
    [InlineData(new[] { "2026-12-04", "31.12.2026" }, SlashDateOrder.Unsettled)]
    public void A_columns_values_settle_the_order_of_its_slash_dates(string[] values, SlashDateOrder order) =>
        Assert.Equal(order, SlashDateColumn.Of(values).Order);

    [Fact]
    public void A_slash_date_reads_as_its_dotted_form_in_the_order_given()
    {
        Assert.Equal("4.12.2026 9:05:00", SlashDateColumn.ToDotted("04/12/2026 9:05:00", dayFirst: true));
        Assert.Equal("12.4.2026", SlashDateColumn.ToDotted("04/12/2026", dayFirst: false));
        Assert.Null(SlashDateColumn.ToDotted("04/12/26", dayFirst: true));
    }

    [Fact]
    public void Only_a_culture_that_writes_slash_dates_gives_their_order()
    {
        var utc = System.TimeZoneInfo.Utc;
        Assert.Equal(SlashDateOrder.DayFirst, new CrmDateTimeParser(utc, culture: new System.Globalization.CultureInfo("en-GB")).CultureSlashOrder);
        Assert.Equal(SlashDateOrder.MonthFirst, new CrmDateTimeParser(utc, culture: new System.Globalization.CultureInfo("en-US")).CultureSlashOrder);
        Assert.Equal(SlashDateOrder.Unsettled, new CrmDateTimeParser(utc, culture: new System.Globalization.CultureInfo("ru-RU")).CultureSlashOrder);
        Assert.Equal(SlashDateOrder.Unsettled, new CrmDateTimeParser(utc, culture: System.Globalization.CultureInfo.InvariantCulture).CultureSlashOrder);
    }
}
