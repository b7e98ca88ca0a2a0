namespace MetricaCrm.Module.Tests;

/// <summary>
/// A status id of the counter's schema that reads like a type ('paid', 'created': the docs' own detailed-orders example)
/// is sent exactly as written, so that status's goals fire; only simplified orders fold case, to their four types.
/// </summary>
public sealed class SchemaStatusIdTests
{
    [Fact]
    public async Task Detailed_orders_keep_the_schemas_paid_and_simple_orders_fold_it_to_PAID()
    {
        await using var s = await ModuleSession.StartAsync();
        var schema = s.Run("@{ Id = 'paid'; Humanized = 'Оплачен'; Type = 'PAID'; GoalActionIds = 'order_confirmed' }, @{ Id = 'created'; Humanized = 'Создан'; Type = 'IN_PROGRESS' } | " +
            $"Set-MetricaOrderStatus -CounterId 41 {ModuleSession.Api} -Confirm:$false");
        Assert.Empty(schema.Errors);
        string day = DateTime.Now.AddDays(-1).ToString("yyyy-MM-dd HH:mm");
        var file = s.WriteFile("deals.csv", "id,client_uniq_id,create_date_time,order_status\n" +
            $"P-1,K-1,{day},paid\nP-2,K-1,{day},created\nP-3,K-1,{day},Оплачен\n");
        var detailed = s.Run($"Import-CrmOrder '{file}' | Convert-MetricaStatus -Map @{{ 'Оплачен' = 'paid'; paid = 'paid'; created = 'created' }} | " +
            $"Send-MetricaOrder -CounterId 41 {ModuleSession.Api}");
        Assert.Empty(detailed.Errors);
        var stored = (await s.StoredOrdersAsync(41)).ToDictionary(o => o.Id, o => o.OrderStatus);
        Assert.Equal(("paid", "created", "paid"), (stored["P-1"], stored["P-2"], stored["P-3"]));

        // Without a map the row's own status is sent as the schema id too.
        var plain = s.WriteFile("plain.csv", "id,client_uniq_id,create_date_time,order_status\n" + $"P-4,K-1,{day},paid\n");
        var unmapped = s.Run($"Import-CrmOrder '{plain}' | Send-MetricaOrder -CounterId 41 {ModuleSession.Api}");
        Assert.Empty(unmapped.Errors);
        Assert.Equal("paid", (await s.StoredOrdersAsync(41)).Single(o => o.Id == "P-4").OrderStatus);

        // Simplified orders take no schema ids: 'paid' is the type PAID there.
        var simple = s.WriteFile("simple.csv", "id,create_date_time,emails,order_status\n" + $"S-1,{day},a@example.ru,paid\n");
        var sent = s.Run($"Import-CrmOrder '{simple}' | Send-MetricaConversion -CounterId 42 {ModuleSession.Api}");
        Assert.Empty(sent.Errors);
        Assert.Equal("PAID", s.Counter(42).Orders["S-1"].OrderStatus);
    }
}
