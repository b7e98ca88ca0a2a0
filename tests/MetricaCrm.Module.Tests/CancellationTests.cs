namespace MetricaCrm.Module.Tests;

public sealed class CancellationTests
{
    [Fact]
    public async Task Stopping_the_pipeline_cancels_the_wait_promptly()
    {
        // The sandbox lists uploads only after a long delay, so -Wait would poll for minutes.
        await using var s = await ModuleSession.StartAsync(listingDelay: TimeSpan.FromMinutes(5));
        var file = s.WriteFile("orders.csv", $"id,create_date_time,emails,order_status\nA-1,{RecentDay} 10:07:00,a@b.ru,PAID\n");
        using var ps = PowerShell.Create();
        ps.Runspace = typeof(ModuleSession).GetField("_runspace", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(s) as System.Management.Automation.Runspaces.Runspace;
        ps.AddScript($"Import-CrmOrder '{file}' | Send-MetricaConversion -CounterId 5 {ModuleSession.Api} -Wait -PollInterval '00:00:00.2'");
        var async = ps.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (s.Requests("last_uploadings").Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.NotEmpty(s.Requests("last_uploadings"));
        var started = DateTime.UtcNow;
        ps.Stop();
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(async));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.Single(s.Requests("/data/simple_orders"));
    }
}
