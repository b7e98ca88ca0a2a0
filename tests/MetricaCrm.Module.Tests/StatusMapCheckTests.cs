namespace MetricaCrm.Module.Tests;

/// <summary>A typo in a status map stops the send before the first upload, naming the map entry: not 11 row errors after 9 orders went.</summary>
public sealed class StatusMapCheckTests
{
    [Fact]
    public async Task A_map_value_that_is_neither_a_type_nor_a_goal_of_the_counter_stops_before_anything_is_sent()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", JournalSendTests.Orders(20, i => i % 2 == 0 ? "paid" : "new"));
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map @{{ paid = 'PAYED'; new = 'IN_PROGRESS' }} | " +
            $"Send-MetricaConversion -CounterId 7 {ModuleSession.Api} -BatchSize 2");
        var error = Assert.Single(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("StatusMapNotForCounter,", StringComparison.Ordinal));
        Assert.Contains("'paid' = 'PAYED'", error.Exception.Message);
        Assert.DoesNotContain("'new'", error.Exception.Message);
        Assert.DoesNotContain(r.ErrorIds, id => id == "StatusNotAGoal");
        Assert.Empty(s.Requests("/data/simple_orders"));
    }

    [Fact]
    public async Task A_map_whose_goal_the_counter_has_is_sent()
    {
        await using var s = await ModuleSession.StartAsync();
        await s.Http.PostAsync("/sandbox/counters/7/goals/order_paid", null);
        var file = s.WriteFile("orders.csv", JournalSendTests.Orders(4, i => i % 2 == 0 ? "paid" : "new"));
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map @{{ paid = 'order_paid'; new = 'IN_PROGRESS' }} | " +
            $"Send-MetricaConversion -CounterId 7 {ModuleSession.Api} -BatchSize 2");
        Assert.Empty(r.Errors);
        Assert.Equal(4, s.Counter(7).Orders.Count);
    }
}
