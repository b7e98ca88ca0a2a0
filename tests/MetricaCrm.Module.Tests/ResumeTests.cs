using MetricaCrm.Sandbox;

namespace MetricaCrm.Module.Tests;

/// <summary>Issue 8: what Metrica did not accept is kept, file and all, and a resume settles it without sending anything twice.</summary>
public sealed class ResumeTests
{
    private static string Orders(int count) => JournalSendTests.Orders(count, _ => "paid");

    private static string Send(string file, string extra = "") =>
        $"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map {JournalSendTests.Map} | " +
        $"Send-MetricaConversion -CounterId 7 {ModuleSession.Api} -PassThru {extra}";

    private static PSObject Summary(RunResult r) => r.Output.Last(o => o.TypeNames[0].EndsWith(".UploadSummary"));

    private static long Count(PSObject summary, string name) => (long)summary.Properties[name].Value;

    private static string[] States(RunResult r) => r.Output.Select(b => b.Properties["State"].Value.ToString()!).ToArray();

    [Fact]
    public async Task A_spent_daily_budget_stops_before_sending_keeps_the_rest_and_a_later_resume_completes_it()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders(10));
        var r = s.Run(Send(file, "-BatchSize 2 -DailyRequestLimit 5"));
        Assert.Empty(r.Errors);
        var summary = Summary(r);
        long sent = Count(summary, "Sent"), kept = Count(summary, "Pending");
        Assert.True(sent is > 0 and < 10, $"sent {sent}");
        Assert.Equal(10, sent + kept);
        Assert.True((bool)summary.Properties["Reconciles"].Value);
        // Five requests in all, reads included, and not one more.
        Assert.Equal(5, s.Sandbox.State.Requests.Count(q => q.Path.Contains("/counter/7")));
        var warning = Assert.Single(r.Warnings, w => w.Message.Contains("kept in the upload journal"));
        Assert.Contains($"resume them after {DateTime.UtcNow.Date.AddDays(1):yyyy-MM-dd} 00:00 UTC", warning.Message);
        Assert.Equal(sent, s.Counter(7).Orders.Count);

        var pending = s.Run("Get-MetricaUploadJournal -CounterId 7 -Pending");
        Assert.Equal(kept / 2, pending.Output.Count);
        Assert.All(States(pending), state => Assert.Equal("Deferred", state));

        // Later (here: with a larger budget, as the next day would give) the resume sends exactly the kept batches.
        var uploadsBefore = s.Requests("/data/simple_orders").Count;
        var resumed = s.Run($"Resume-MetricaUpload -CounterId 7 {ModuleSession.Api} -DailyRequestLimit 100");
        Assert.Empty(resumed.Errors);
        Assert.All(States(resumed), state => Assert.Equal("Accepted", state));
        Assert.Equal(kept / 2, s.Requests("/data/simple_orders").Count - uploadsBefore);
        Assert.Equal(10, s.Counter(7).Orders.Count);
        Assert.Empty(s.Run("Get-MetricaUploadJournal -CounterId 7 -Pending").Output);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(s.WorkDir, "batches"), "*.csv", SearchOption.AllDirectories));
        AssertNoToken(s);
    }

    [Fact]
    public async Task An_append_whose_answer_was_lost_is_looked_up_first_and_sent_again_only_once_the_listing_is_complete()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", DropConnection = true, Times = 1 });
        var file = s.WriteFile("orders.csv", Orders(3));
        var r = s.Run(Send(file, "-MergeMode Append"));
        Assert.Contains("may have reached Metrica", Assert.Single(r.Errors).Exception.Message);
        Assert.Equal(3, Count(Summary(r), "Pending"));
        Assert.Equal("Unknown", Assert.Single(States(s.Run("Get-MetricaUploadJournal -CounterId 7 -Pending"))));

        // Just after: Metrica does not list it, but an APPEND is not repeated on that alone.
        var early = s.Run($"Resume-MetricaUpload -CounterId 7 {ModuleSession.Api}");
        Assert.Equal("Unknown", Assert.Single(States(early)));
        Assert.Contains(early.Warnings, w => w.Message.Contains("does not list it yet"));
        Assert.Single(s.Requests("/data/simple_orders"));

        // And a Send of the kind will not go past it.
        var blocked = s.Run(Send(file, "-MergeMode Append"));
        Assert.Contains("MetricaUploadsPending", blocked.ErrorIds);
        Assert.Single(s.Requests("/data/simple_orders"));

        // Once the grace has passed without the upload being listed, it was not applied: sent again, once.
        var late = s.Run($"Resume-MetricaUpload -CounterId 7 {ModuleSession.Api} -ListingGrace 00:00:00.001");
        Assert.Equal("Accepted", Assert.Single(States(late)));
        Assert.Equal(2, s.Requests("/data/simple_orders").Count);
        Assert.Equal(3, s.Counter(7).Orders.Count);
    }

    [Fact]
    public async Task A_refused_file_is_not_kept_and_discard_gives_up_a_kept_batch()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = 400, ErrorType = "invalid_uploading", Times = 1 });
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = 503, Times = 12 }); // the send and its own settling at the end
        var file = s.WriteFile("orders.csv", Orders(4));
        var r = s.Run(Send(file, "-BatchSize 2"));
        var summary = Summary(r);
        Assert.Equal((2L, 2L, 0L), (Count(summary, "Failed"), Count(summary, "Pending"), Count(summary, "Sent")));
        var kept = Assert.Single(s.Run("Get-MetricaUploadJournal -CounterId 7 -Pending").Output);
        Assert.Equal("Deferred", kept.Properties["State"].Value.ToString());

        var discarded = s.Run($"Get-MetricaUploadJournal -CounterId 7 -Pending | Resume-MetricaUpload -Discard {ModuleSession.Api}");
        Assert.Equal("Failed", Assert.Single(States(discarded)));
        Assert.StartsWith("discarded (Deferred", (string)discarded.Output[0].Properties["Message"].Value);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(s.WorkDir, "batches"), "*.csv", SearchOption.AllDirectories));
        Assert.Empty(s.Counter(7).Orders);
    }

    private static void AssertNoToken(ModuleSession s)
    {
        var token = System.Text.Encoding.UTF8.GetBytes(SandboxOptions.DefaultToken);
        // The journal, and the request budget every process shares (its file, its in-flight slots, its key's secret).
        string budget = ModuleSession.BudgetPath(s.Sandbox.BaseUri), budgets = Path.GetDirectoryName(budget)!;
        var files = Directory.EnumerateFiles(s.WorkDir, "journal.db*")
            .Concat(Directory.EnumerateFiles(budgets, Path.GetFileName(budget) + "*"))
            .Concat(Directory.EnumerateFiles(Path.Combine(budgets, "slots-" + Path.GetFileNameWithoutExtension(budget))))
            .ToList();
        Assert.Contains(files, f => f.EndsWith(".lock", StringComparison.Ordinal));
        foreach (var path in files)
        {
            var bytes = File.ReadAllBytes(path);
            Assert.False(bytes.AsSpan().IndexOf(token) >= 0, $"{path} holds the token");
        }
    }
}
