using System.Net.Http.Json;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// Issue 20, "uploaded is not linked": Send-MetricaOfflineConversion -Wait into the sandbox, whose rows link only to
/// the visitors a test adds, so a file of ClientIDs it never saw is the broken daily job: uploaded, and linked to no one.
/// </summary>
public sealed class LinkedShareTests
{
    private const long Counter = 12345;

    private static async Task AddVisitorsAsync(ModuleSession s, params string[] clientIds) =>
        (await s.Http.PostAsJsonAsync($"/sandbox/counters/{Counter}/visitors",
            clientIds.Select(clientId => new { clientId, visits = new[] { DateTimeOffset.UtcNow.AddHours(-30) } }).ToArray())).EnsureSuccessStatusCode();

    /// <summary>A conversions export of these ClientIDs, each converting some minutes apart a few hours ago (UTC).</summary>
    private static string Export(ModuleSession s, string name, params string[] clientIds)
    {
        var at = DateTimeOffset.UtcNow.AddHours(-3);
        var lines = clientIds.Select((id, i) => $"{id},order_confirmed,{at.AddMinutes(-i):dd.MM.yyyy HH:mm},100,RUB");
        return s.WriteFile(name, "ClientId,Target,DateTime,Price,Currency\n" + string.Join("\n", lines) + "\n");
    }

    private static RunResult Send(ModuleSession s, string file, string extra = "-Wait") =>
        s.Run($"$s = @(Import-CrmConversion '{file}' -TimeZone UTC | Send-MetricaOfflineConversion -CounterId {Counter} {ModuleSession.Api} " +
              $"-PollInterval '00:00:00.1' -PassThru {extra})[-1]; " +
              "$s.Linkage.Percent; $s.Linkage.AveragePercent; $s.Linkage.AverageUploads; $s.Linkage.Note; $s.ToString()");

    private static object?[] Values(RunResult r) => r.Output.Select(o => o?.BaseObject).ToArray();

    [Fact]
    public async Task The_summary_shows_the_linked_share_next_to_the_average_of_the_last_final_uploads()
    {
        await using var s = await ModuleSession.StartAsync(processingDelay: TimeSpan.FromSeconds(0.3));
        await AddVisitorsAsync(s, "133591247640966401", "133591247640966402", "133591247640966403");

        // A good day: three of four ClientIDs are visitors of the site.
        var good = Send(s, Export(s, "good.csv", "133591247640966401", "133591247640966402", "133591247640966403", "177777777777777701"));
        Assert.Null(good.Terminating);
        Assert.Empty(good.Errors);
        Assert.Equal(new object?[] { 75.0, null, 0, "no earlier final uploads to average",
            "Send-MetricaOfflineConversion: received 4, uploaded 4, rejected 0; linked 75.0% (3 of 4 rows) (no earlier final uploads to average)" }, Values(good));

        // The CRM field was renamed: one ClientID of five still links.
        var broken = Send(s, Export(s, "broken.csv", "133591247640966401", "188888888888888801", "188888888888888802", "188888888888888803", "188888888888888804"));
        Assert.Empty(broken.Errors);
        Assert.Equal(new object?[] { 20.0, 75.0, 1, null,
            "Send-MetricaOfflineConversion: received 5, uploaded 5, rejected 0; linked 20.0% (1 of 5 rows), average of the last 1 final upload(s) 75.0%" }, Values(broken));

        // Nothing links at all: Metrica says LINKAGE_FAILURE, an error, and the share is 0 against the two days before.
        var none = Send(s, Export(s, "none.csv", "199999999999999901", "199999999999999902"));
        Assert.Equal(new[] { "MetricaLinkageFailure" }, none.ErrorIds);
        Assert.Equal(new object?[] { 0.0, 44.4, 2, null,
            "Send-MetricaOfflineConversion: received 2, uploaded 2, rejected 0; linked 0.0% (0 of 2 rows), average of the last 2 final upload(s) 44.4%" }, Values(none));
        Assert.Equal(3, s.Counter(Counter).Offline.Uploads.Count);
    }

    [Fact]
    public async Task Without_Wait_the_share_is_unknown_rather_than_zero()
    {
        await using var s = await ModuleSession.StartAsync(processingDelay: TimeSpan.FromMinutes(5));
        var r = Send(s, Export(s, "sales.csv", "133591247640966401"), extra: "");
        Assert.Empty(r.Errors);
        Assert.Equal(new object?[] { null, null, 0, "1 upload(s) still processing; -Wait follows them until final",
            "Send-MetricaOfflineConversion: received 1, uploaded 1, rejected 0; linked share unknown (1 upload(s) still processing; -Wait follows them until final)" }, Values(r));
    }

    [Fact]
    public async Task A_CRM_upload_says_Metrica_reports_no_linkage()
    {
        await using var s = await ModuleSession.StartAsync();
        var orders = s.WriteFile("orders.csv", "id,create_date_time,client_ids,order_status,revenue\n" +
            $"A-1,{DateTime.UtcNow.AddHours(-2):yyyy-MM-dd HH:mm:ss},133591247640966401,PAID,10\n");
        var r = s.Run($"$s = @(Import-CrmOrder '{orders}' -TimeZone UTC | Send-MetricaConversion -CounterId {Counter} {ModuleSession.Api} -CounterTimeZone UTC -Wait -PassThru)[-1]; " +
                      "$s.Linkage.KindReportsLinkage; $null -eq $s.Linkage.Percent; $s.Linkage.ToString()");
        Assert.Empty(r.Errors);
        Assert.Equal(new object?[] { false, true, "linked share not reported (Metrica reports no linked quantities for simple_orders uploads)" }, Values(r));
    }
}
