using System.Globalization;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>
/// When a detailed order links to visits (contacts.md, uploadorders): created within 21 days of its upload, with its
/// contact's data uploaded; once linked, its status, sum and products change for 111 days.
/// </summary>
public sealed class OrderLinkRules
{
    private const string Orders = "/cdp/api/v1/counter/5/data/orders/csv?merge_mode=";
    private const string Header = "id,client_uniq_id,client_type,create_date_time,order_status,revenue,products\n";

    private static string At(DateTimeOffset utc, double daysAgo) =>
        TimeZoneInfo.ConvertTime(utc.AddDays(-daysAgo), TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow")).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_order_links_only_when_its_contact_was_uploaded_before_it()
    {
        await using var s = await SandboxClient.StartAsync();
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(200, (await s.PostAsync(Orders + "SAVE", SandboxClient.CsvFile(Header + $"O-1,K-1,CONTACT,{At(now, 1)},PAID,10,\n"))).Status);
        Assert.False(s.State.Counter(5).Orders["O-1"].Linked); // stored, but Metrica has no client data to process it with
        Assert.Equal(200, (await s.PostAsync("/cdp/api/v1/counter/5/data/contacts/csv?merge_mode=SAVE", SandboxClient.CsvFile("uniq_id\nK-1\n"))).Status);
        Assert.Equal(200, (await s.PostAsync(Orders + "SAVE", SandboxClient.CsvFile(Header + $"O-2,K-1,CONTACT,{At(now, 1)},PAID,10,\n"))).Status);
        Assert.True(s.State.Counter(5).Orders["O-2"].Linked);
        // The first upload decided: re-sending O-1 now does not link it.
        Assert.Equal(200, (await s.PostAsync(Orders + "UPDATE", SandboxClient.CsvFile(Header + $"O-1,K-1,CONTACT,{At(now, 1)},PAID,10,\n"))).Status);
        Assert.False(s.State.Counter(5).Orders["O-1"].Linked);
    }

    [Theory]
    [InlineData("SAVE")]
    [InlineData("UPDATE")]
    [InlineData("APPEND")]
    public async Task A_linked_order_takes_changes_for_111_days_and_then_keeps_its_status_sum_and_products(string mode)
    {
        var clock = new ManualClock();
        await using var s = await SandboxClient.StartAsync(new SandboxOptions { Clock = clock });
        var start = clock.Now;
        string created = At(start, 1);
        Assert.Equal(200, (await s.PostAsync("/cdp/api/v1/counter/5/data/contacts/csv?merge_mode=SAVE", SandboxClient.CsvFile("uniq_id\nK-1\n"))).Status);
        Assert.Equal(200, (await s.PostAsync(Orders + "SAVE", SandboxClient.CsvFile(Header + $"O-1,K-1,CONTACT,{created},IN_PROGRESS,10,\"pear:1\"\n"))).Status);
        Assert.True(s.State.Counter(5).Orders["O-1"].Linked);

        clock.Now = start.AddDays(100); // 101 days after creation: still within 111
        Assert.Equal(200, (await s.PostAsync(Orders + mode, SandboxClient.CsvFile(Header + $"O-1,K-1,CONTACT,{created},PAID,20,\"apple:2\"\n"))).Status);
        var o = s.State.Counter(5).Orders["O-1"];
        Assert.Equal(("PAID", 20m), (o.OrderStatus, o.Revenue));
        Assert.Contains("apple", o.Products.Keys);

        clock.Now = start.AddDays(111); // 112 days after creation
        Assert.Equal(200, (await s.PostAsync(Orders + mode, SandboxClient.CsvFile(Header + $"O-1,K-1,CONTACT,{created},CANCELLED,30,\"tomato:3\"\n"))).Status);
        var frozen = s.State.Counter(5).Orders["O-1"];
        Assert.Equal(("PAID", 20m, false), (frozen.OrderStatus, frozen.Revenue, frozen.Products.ContainsKey("tomato")));
        Assert.Equal(o.Products, frozen.Products);

        // Simple orders too, under the same rule.
        Assert.Equal(200, (await s.PostAsync("/cdp/api/v1/counter/5/data/simple_orders?merge_mode=SAVE",
            SandboxClient.CsvFile($"id,create_date_time,client_ids,order_status,revenue\nS-1,{At(clock.Now, 1)},1,IN_PROGRESS,5\n"))).Status);
        clock.Now = clock.Now.AddDays(112);
        Assert.Equal(200, (await s.PostAsync("/cdp/api/v1/counter/5/data/simple_orders?merge_mode=" + mode,
            SandboxClient.CsvFile($"id,create_date_time,client_ids,order_status,revenue\nS-1,{At(clock.Now, 113)},1,PAID,50\n"))).Status);
        Assert.Equal(("IN_PROGRESS", 5m), (s.State.Counter(5).Orders["S-1"].OrderStatus, s.State.Counter(5).Orders["S-1"].Revenue));
    }
}
