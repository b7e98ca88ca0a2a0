using MetricaCrm.Engine.Statuses;
using Xunit;

namespace MetricaCrm.Engine.Tests;

public sealed class StatusMapTests
{
    [Fact]
    public void Keys_match_ignoring_case_spaces_and_yo()
    {
        var map = new StatusMap();
        map.Add("Отменён клиентом", "CANCELED");
        Assert.True(map.TryMap("  отменен   КЛИЕНТОМ ", out var s));
        Assert.Equal("CANCELLED", s);
    }

    [Fact]
    public void Contradictory_duplicate_keys_are_refused()
    {
        var map = new StatusMap();
        map.Add("paid", "PAID");
        Assert.Throws<ArgumentException>(() => map.Add("PAID ", "CANCELLED"));
    }

    [Theory]
    [InlineData("OTHER")]
    [InlineData("Оплата заказа")]
    [InlineData("")]
    public void Targets_must_be_types_or_goal_identifiers(string target) =>
        Assert.Throws<ArgumentException>(() => StatusMap.ParseTarget(target, "x"));

    [Fact]
    public void Converter_counts_unmapped_statuses()
    {
        var map = new StatusMap();
        map.Add("paid", "PAID");
        var c = new StatusConverter(map, UnmappedStatusAction.Skip, null);
        Assert.Equal(StatusOutcome.Mapped, c.Convert("Paid", out var s));
        Assert.Equal("PAID", s);
        c.Convert("held", out _);
        c.Convert(" HELD", out _);
        c.Convert(null, out _);
        Assert.Equal(new[] { new KeyValuePair<string, int>("held", 2), new KeyValuePair<string, int>("(empty)", 1) }, c.Unmapped);
    }

    /// <summary>The default pipelines of amoCRM and Bitrix24, as their exports spell the stages (ё or е, any case).</summary>
    [Theory]
    [InlineData("Неразобранное", "IN_PROGRESS")]
    [InlineData("Согласование договора", "IN_PROGRESS")]
    [InlineData("Подготовка документов", "IN_PROGRESS")]
    [InlineData("Счёт на предоплату", "IN_PROGRESS")]
    [InlineData("Счет на предоплату", "IN_PROGRESS")]
    [InlineData("Финальный счёт", "IN_PROGRESS")]
    [InlineData("Успешно реализовано", "PAID")]
    [InlineData("Сделка успешна", "PAID")]
    [InlineData("Закрыто и не реализовано", "CANCELLED")]
    [InlineData("Анализ причины провала", "CANCELLED")]
    public void The_common_table_knows_the_CRMs_default_pipeline_stages(string stage, string type)
    {
        var map = new StatusMap();
        map.IncludeCommonStatuses();
        Assert.True(map.TryMap(stage, out var mapped), stage);
        Assert.Equal(type, mapped);
    }
}
