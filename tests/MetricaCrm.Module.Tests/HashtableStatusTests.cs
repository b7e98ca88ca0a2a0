namespace MetricaCrm.Module.Tests;

/// <summary>Hashtables into Convert-MetricaStatus are read by their keys, as its help says, and their mapped status reaches the Send.</summary>
public sealed class HashtableStatusTests
{
    [Fact]
    public async Task A_hashtables_status_is_mapped_and_sent()
    {
        await using var s = await ModuleSession.StartAsync();
        string day = DateTime.Now.AddDays(-1).ToString("yyyy-MM-dd HH:mm:ss");
        var r = s.Run($"@{{ id = 'H-1'; create_date_time = '{day}'; emails = 'h1@example.ru'; 'Статус' = 'оплачен' }}, " +
            $"@{{ id = 'H-2'; create_date_time = '{day}'; emails = 'h2@example.ru'; order_status = 'новый' }} | " +
            $"Convert-MetricaStatus -Map @{{ 'оплачен' = 'PAID'; 'новый' = 'IN_PROGRESS' }} | Send-MetricaConversion -CounterId 7 {ModuleSession.Api}");
        Assert.Empty(r.Errors);
        Assert.Equal(("PAID", "IN_PROGRESS"), (s.Counter(7).Orders["H-1"].OrderStatus, s.Counter(7).Orders["H-2"].OrderStatus));

        var unmapped = s.Run($"@{{ id = 'H-3'; create_date_time = '{day}'; emails = 'h3@example.ru'; order_status = 'странный' }} | Convert-MetricaStatus -Map @{{ 'новый' = 'IN_PROGRESS' }}");
        Assert.Equal("UnmappedStatus", Assert.Single(unmapped.ErrorIds));
        Assert.Contains("H-3", unmapped.Errors[0].Exception.Message);
    }
}
