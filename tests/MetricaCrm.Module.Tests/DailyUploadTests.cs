using System.Text;
using MetricaCrm.Sandbox;

namespace MetricaCrm.Module.Tests;

/// <summary>samples/Invoke-DailyUpload.ps1 against the sandbox: its documented exit codes, the date window, the log and the lock.</summary>
public sealed class DailyUploadTests
{
    private const string Header = "id,create_date_time,emails,order_status,revenue,currency";

    private static string Script
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples", "Invoke-DailyUpload.ps1");
                if (File.Exists(candidate)) return candidate;
            }
            throw new FileNotFoundException("samples/Invoke-DailyUpload.ps1");
        }
    }

    /// <summary>A row created <paramref name="daysAgo"/> days before now (UTC), so the window never ages out.</summary>
    private static string Row(string id, double daysAgo, string status = "paid", string revenue = "100") =>
        $"{id},{DateTime.UtcNow.AddDays(-daysAgo):yyyy-MM-dd HH:mm:ss},{id.ToLowerInvariant()}@example.ru,{status},{revenue},RUB";

    private static (int Code, string Log, RunResult Result) RunJob(ModuleSession s, string orders, string tokenVariable = "$token", string extra = "")
    {
        var file = s.WriteFile("orders.csv", Header + "\n" + orders + "\n");
        var logs = Path.Combine(s.WorkDir, "logs");
        var r = s.Run($"& '{Script}' -OrdersPath '{file}' -StatusMap @{{ 'paid' = 'PAID'; 'new' = 'IN_PROGRESS' }} -CounterId 12345 " +
                      $"-LogFolder '{logs}' -TimeZone UTC -ApiBaseUri $api -Token {tokenVariable} {extra}; $LASTEXITCODE");
        var logFiles = Directory.GetFiles(logs, "daily-upload-*.log");
        Assert.True(logFiles.Length == 1, r.Terminating + string.Join("\n", r.Errors.Select(e => e.FullyQualifiedErrorId + " " + e.Exception.Message + e.ScriptStackTrace)));
        var log = File.ReadAllText(logFiles[0], Encoding.UTF8);
        Assert.Null(r.Terminating);
        Assert.True(r.Output.Count > 0 && r.Output[^1] != null, "no exit code; log:\n" + log + string.Join("\n", r.Errors.Select(e => e.FullyQualifiedErrorId + " " + e.Exception.Message)));
        var code = Convert.ToInt32(r.Output[^1].BaseObject);
        return (code, log, r);
    }

    [Fact]
    public async Task All_sent_is_0_and_only_orders_of_the_last_days_are_sent_even_over_a_stale_lock()
    {
        await using var s = await ModuleSession.StartAsync();
        // A lock file left by a crashed run: nobody holds it, so it must not block.
        Directory.CreateDirectory(Path.Combine(s.WorkDir, "logs"));
        File.WriteAllText(Path.Combine(s.WorkDir, "logs", "daily-upload.lock"), "99999\n");

        var (code, log, _) = RunJob(s, string.Join("\n", Row("D-1", 1), Row("D-2", 2.5, "new"), Row("OLD-1", 10)));

        Assert.Equal(0, code);
        Assert.Equal(new[] { "D-1", "D-2" }, (await s.StoredOrdersAsync(12345)).Select(o => o.Id).OrderBy(x => x));
        Assert.Contains("Import: read 3, emitted 3, rejected 0", log);
        Assert.Contains("Send: received 2, sent 2, unchanged 0, rejected 0, skipped 0, failed 0, pending 0, not sent 0", log);
        Assert.Contains("Exit code 0", log);
        Assert.DoesNotContain("sandbox-token", log);
    }

    [Fact]
    public async Task A_rejected_row_is_1_logged_with_its_error_id()
    {
        await using var s = await ModuleSession.StartAsync();
        var (code, log, _) = RunJob(s, string.Join("\n", Row("D-1", 1), Row("D-2", 1, revenue: "\"1,234\"")));

        Assert.Equal(1, code);
        Assert.Equal(new[] { "D-1" }, (await s.StoredOrdersAsync(12345)).Select(o => o.Id));
        Assert.Contains("rejected 1", log);
        Assert.Matches(@"ERROR \w+.*: .*1,234", log);
        Assert.Single(Directory.GetFiles(Path.Combine(s.WorkDir, "logs"), "*.rejects.csv"));
    }

    [Fact]
    public async Task A_refused_upload_is_2()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = 400, Times = 5 });
        var (code, log, _) = RunJob(s, Row("D-1", 1));

        Assert.Equal(2, code);
        Assert.Empty(await s.StoredOrdersAsync(12345));
        Assert.Contains("failed 1", log);
        Assert.True(log.Contains("ERROR MetricaInvalidParameter"), log);
    }

    [Fact]
    public async Task An_upload_still_pending_after_the_wait_is_2()
    {
        // Metrica lists the upload only after a minute: -Wait gives up after two seconds.
        await using var s = await ModuleSession.StartAsync(listingDelay: TimeSpan.FromMinutes(1));
        var (code, log, r) = RunJob(s, Row("D-1", 1), extra: "-WaitTimeout '00:00:02'");

        Assert.Equal(2, code);
        Assert.Contains(r.Warnings, w => w.Message.Contains("was not final"));
        Assert.Contains("Send: received 1, sent 1", log);
    }

    [Fact]
    public async Task A_wrong_token_is_3()
    {
        await using var s = await ModuleSession.StartAsync();
        s.SetVariable("wrong", ModuleSession.ToSecure("not-the-token"));
        var (code, log, _) = RunJob(s, Row("D-1", 1), "$wrong");

        Assert.Equal(3, code);
        Assert.Contains("ERROR MetricaInvalidToken", log);
        Assert.DoesNotContain("not-the-token", log);
        Assert.Empty(s.Requests("simple_orders"));
    }

    [Fact]
    public async Task A_lock_held_by_a_running_job_is_4_and_nothing_is_sent()
    {
        await using var s = await ModuleSession.StartAsync();
        var logs = Directory.CreateDirectory(Path.Combine(s.WorkDir, "logs")).FullName;
        using (File.Open(Path.Combine(logs, "daily-upload.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var (code, log, r) = RunJob(s, Row("D-1", 1));
            Assert.Equal(4, code);
            Assert.Contains("still holds", log);
            Assert.Contains(r.Warnings, w => w.Message.Contains("still holds"));
        }
        Assert.Empty(s.Requests("simple_orders"));
    }

    [Fact]
    public async Task MetricaCrm_Shell_returns_the_exit_code_of_a_script_file()
    {
        await using var s = await ModuleSession.StartAsync();
        // A lock held by "the previous run" makes the job stop at once with 4, without needing a token or an API address.
        var logs = Directory.CreateDirectory(Path.Combine(s.WorkDir, "logs")).FullName;
        var orders = s.WriteFile("orders.csv", Header + "\n" + Row("D-1", 1) + "\n");
        var wrapper = s.WriteFile("job.ps1", $"& '{Script}' -OrdersPath '{orders}' -StatusMap @{{ paid = 'PAID' }} -CounterId 12345 -LogFolder '{logs}'\nexit $LASTEXITCODE\n");
        using var held = File.Open(Path.Combine(logs, "daily-upload.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(4, MetricaCrm.Shell.PowerShellHost.Run(ModuleSession.ModulePath, wrapper, isFile: true, verbose: false, stdout, stderr));
        Assert.Contains("still holds", stderr.ToString());
    }
}
