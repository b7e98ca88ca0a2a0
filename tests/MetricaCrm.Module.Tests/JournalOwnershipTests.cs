using MetricaCrm.Sandbox;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// What one journal keeps is its own: another journal beside it (another API address's), or the same file made anew,
/// never deletes its batch files; a journal remembers one API address; the request budget is the user's, whatever
/// journal a send keeps; a batch that a running send owns is waited for, and the summary is written either way.
/// </summary>
public sealed class JournalOwnershipTests
{
    private static string Send(string file, string journal, string extra = "") =>
        $"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map {JournalSendTests.Map} | " +
        $"Send-MetricaConversion -CounterId 7 {ModuleSession.Api} -JournalPath '{journal}' -PassThru -BatchSize 2 {extra}";

    private static PSObject Summary(RunResult r) =>
        r.Output.LastOrDefault(o => o.TypeNames[0].EndsWith(".UploadSummary"))
        ?? throw new Xunit.Sdk.XunitException("no summary; errors: " + string.Join(" | ", r.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)) + " terminating: " + r.Terminating?.Message);

    private static long Count(PSObject summary, string name) => (long)summary.Properties[name].Value;

    private static string[] KeptFiles(string folder) =>
        Directory.Exists(Path.Combine(folder, "batches"))
            ? Directory.GetFiles(Path.Combine(folder, "batches"), "*.csv", SearchOption.AllDirectories)
            : Array.Empty<string>();

    /// <summary>Sends 4 orders in 2 batches into 503s: both kept, Deferred, with their files.</summary>
    private static (string Journal, string[] Files) KeepTwoBatches(ModuleSession s, string folder)
    {
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = 503, Times = 100 });
        var journal = Path.Combine(folder, "production.db");
        var r = s.Run(Send(s.WriteFile("orders.csv", JournalSendTests.Orders(4, _ => "paid")), journal, "-MaxRetryCount 0"));
        Assert.Equal(4, Count(Summary(r), "Pending"));
        var files = KeptFiles(folder);
        Assert.Equal(2, files.Length);
        lock (s.Sandbox.State.Faults) s.Sandbox.State.Faults.Clear();
        return (journal, files);
    }

    [Fact]
    public async Task Another_journal_in_the_same_folder_leaves_the_kept_batches_alone_and_they_are_resumed_later()
    {
        await using var production = await ModuleSession.StartAsync();
        await using var rehearsal = await ModuleSession.StartAsync();
        var folder = Directory.CreateDirectory(Path.Combine(production.WorkDir, "state")).FullName;
        var (journal, files) = KeepTwoBatches(production, folder);

        // The rehearsal keeps its journal beside production's (the default layout does the same).
        var r = rehearsal.Run(Send(rehearsal.WriteFile("orders.csv", JournalSendTests.Orders(6, _ => "paid")), Path.Combine(folder, "journal-sandbox.db")));
        Assert.Equal(6, Count(Summary(r), "Sent"));
        Assert.All(files, f => Assert.True(File.Exists(f), $"{f} was deleted by another journal"));

        var resumed = production.Run($"Resume-MetricaUpload -CounterId 7 {ModuleSession.Api} -JournalPath '{journal}'");
        Assert.Empty(resumed.Errors);
        Assert.Equal(4, production.Counter(7).Orders.Count);
    }

    [Fact]
    public async Task A_journal_made_anew_does_not_take_the_lost_ones_batch_files_for_leftovers()
    {
        await using var s = await ModuleSession.StartAsync();
        var folder = Directory.CreateDirectory(Path.Combine(s.WorkDir, "state")).FullName;
        var (journal, files) = KeepTwoBatches(s, folder);
        foreach (var f in Directory.GetFiles(folder, "production.db*")) File.WriteAllBytes(f, Array.Empty<byte>()); // lost: truncated to 0 bytes

        var r = s.Run(Send(s.WriteFile("more.csv", JournalSendTests.Orders(2, _ => "paid")), journal));
        Assert.Equal(2, Count(Summary(r), "Sent"));
        Assert.All(files, f => Assert.True(File.Exists(f), $"{f} was deleted by the new journal"));
    }

    [Fact]
    public async Task A_journal_remembers_one_API_address_and_refuses_another()
    {
        await using var sandbox = await ModuleSession.StartAsync();
        await using var other = await ModuleSession.StartAsync();
        var journal = Path.Combine(sandbox.WorkDir, "explicit.db");
        var file = sandbox.WriteFile("orders.csv", JournalSendTests.Orders(3, _ => "paid"));
        Assert.Equal(3, Count(Summary(sandbox.Run(Send(file, journal))), "Sent"));

        // The same orders, the same explicit journal, another Metrica: not "unchanged 3", but a refusal that says why.
        var r = other.Run(Send(file, journal));
        var error = Assert.Single(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("UploadJournalForAnotherApi,", StringComparison.Ordinal));
        Assert.Contains(sandbox.Sandbox.BaseUri.Port.ToString(), error.Exception.Message);
        Assert.Contains(other.Sandbox.BaseUri.Port.ToString(), error.Exception.Message);
        Assert.Empty(other.Requests("/data/simple_orders"));
    }

    [Fact]
    public async Task The_daily_budget_is_shared_by_sends_with_different_journals_and_kept_without_one()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", JournalSendTests.Orders(40, _ => "paid"));
        s.Run(Send(file, Path.Combine(s.WorkDir, "a.db"), "-DailyRequestLimit 12"));
        s.Run(Send(file, Path.Combine(s.WorkDir, "b.db"), "-DailyRequestLimit 12"));
        var none = s.Run($"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map {JournalSendTests.Map} | " +
            $"Send-MetricaConversion -CounterId 7 {ModuleSession.Api} -NoJournal -BatchSize 2 -DailyRequestLimit 12 -PassThru");
        Assert.Equal(12, s.Sandbox.State.Requests.Count(q => q.Path.Contains("/counter/7")));
        Assert.Equal(40, Count(Summary(none), "NotSent") + Count(Summary(none), "Pending") + Count(Summary(none), "Sent"));
        Assert.Equal(0, Count(Summary(none), "Sent"));
    }

    [Fact]
    public async Task A_batch_that_a_running_send_owns_is_waited_for_and_the_summary_is_written()
    {
        await using var s = await ModuleSession.StartAsync();
        var folder = Directory.CreateDirectory(Path.Combine(s.WorkDir, "state")).FullName;
        var (journal, files) = KeepTwoBatches(s, folder);
        // The kept batches' folder is owned by a send that is still running (its lock is held).
        string owner = Path.Combine(Path.GetDirectoryName(files[0])!, "owner.lock");
        var more = s.WriteFile("more.csv", JournalSendTests.Orders(2, _ => "paid"));
        RunResult blocked;
        using (new FileStream(owner, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            blocked = s.Run(Send(more, journal, "-WaitTimeout 00:00:02"));
        Assert.Null(blocked.Terminating);
        Assert.Contains("MetricaUploadsInFlightElsewhere", blocked.ErrorIds);
        var summary = Summary(blocked);
        Assert.True(Count(summary, "NotSent") == 2, summary.ToString());
        Assert.True((bool)summary.Properties["Reconciles"].Value);
        Assert.Empty(s.Requests("/data/simple_orders").Where(q => q.Status == 200));

        // Once the other send is gone, the next send settles its batches first, then sends.
        // (The two orders are the kept batches' first two, with the same values: settled first, they are unchanged.)
        var r = s.Run(Send(more, journal));
        Assert.Equal((0L, 2L), (Count(Summary(r), "Sent"), Count(Summary(r), "Unchanged")));
        Assert.Equal(4, s.Counter(7).Orders.Count);
        Assert.Empty(s.Run($"Get-MetricaUploadJournal -CounterId 7 -Pending -JournalPath '{journal}'").Output);
    }
}
