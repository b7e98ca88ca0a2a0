using System.Diagnostics;
using System.Management.Automation;

namespace MetricaCrm.Module.Tests;

/// <summary>Issue 20: -WhatIf previews what a send would really upload, against the journal it never writes; progress says what is happening, a few times a second.</summary>
public sealed class DryRunTests
{
    private static string SendOrders(string file, string extra = "") =>
        $"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map {JournalSendTests.Map} | " +
        $"Send-MetricaConversion -CounterId 7 {ModuleSession.Api} -InformationVariable iv {extra}; $iv[-1].MessageData";

    private static long Count(PSObject summary, string name) => (long)summary.Properties[name].Value;

    /// <summary>
    /// The journal file, byte for byte, with its time, and what its write-ahead log holds: what a dry run must leave as
    /// it found it. (SQLite's read-only reader may leave an empty -wal and its -shm index beside the file.)
    /// </summary>
    private static (string Sha, DateTime Written, long WalBytes) JournalFiles(string dir)
    {
        string db = Path.Combine(dir, "journal.db"), wal = db + "-wal";
        return (Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(db))), File.GetLastWriteTimeUtc(db),
            File.Exists(wal) ? new FileInfo(wal).Length : 0);
    }

    [Fact]
    public async Task WhatIf_counts_new_changed_and_unchanged_from_the_journal_names_the_changed_ids_and_leaves_the_journal_as_it_was()
    {
        await using var s = await ModuleSession.StartAsync();
        var day1 = s.WriteFile("day1.csv", JournalSendTests.Orders(5, _ => "new"));
        var sent = s.Run(SendOrders(day1));
        Assert.Empty(sent.Errors);
        Assert.Equal(5L, Count(sent.Output.Last(), "Sent"));
        var journalBefore = JournalFiles(s.WorkDir);
        int requestsBefore = s.Sandbox.State.Requests.Count;

        // Tomorrow's file: O-3 paid, O-6 new, the other four as Metrica has them.
        var day2 = s.WriteFile("day2.csv", JournalSendTests.Orders(6, i => i == 3 ? "paid" : "new"));
        var preview = s.Run(SendOrders(day2, "-WhatIf -Verbose"));
        Assert.Empty(preview.Errors);
        var summary = preview.Output.Last();
        Assert.Equal((6L, 0L, 4L, 2L, 1L, 1L), (Count(summary, "Received"), Count(summary, "Sent"), Count(summary, "Unchanged"),
            Count(summary, "NotSent"), Count(summary, "New"), Count(summary, "Changed")));
        Assert.True((bool)summary.Properties["Reconciles"].Value);
        Assert.Contains("against the upload journal: new 1, changed 1, unchanged 4", summary.ToString());
        var changed = preview.Verbose.Where(v => v.Message.Contains("changed since Metrica accepted it")).Select(v => v.Message).ToList();
        Assert.StartsWith("order O-3 (", Assert.Single(changed));
        Assert.Contains("day2.csv, line 4", changed[0]);
        Assert.Contains(preview.Verbose, v => v.Message.Contains("read only (-WhatIf writes nothing to it)"));

        Assert.Equal(requestsBefore, s.Sandbox.State.Requests.Count);          // Metrica was asked nothing
        Assert.Equal(journalBefore, JournalFiles(s.WorkDir));                  // and the journal is as it was

        // The real send does what the preview said.
        var real = s.Run(SendOrders(day2));
        Assert.Empty(real.Errors);
        var done = real.Output.Last();
        Assert.Equal((2L, 4L, 1L, 1L), (Count(done, "Sent"), Count(done, "Unchanged"), Count(done, "New"), Count(done, "Changed")));
        Assert.Equal(2, s.Counter(7).Uploads.Last().ElementsCount);
    }

    [Fact]
    public async Task WhatIf_without_a_journal_file_counts_every_record_new_and_creates_nothing()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", JournalSendTests.Orders(3, _ => "paid"));
        var preview = s.Run(SendOrders(file, "-WhatIf"));
        Assert.Empty(preview.Errors);
        var summary = preview.Output.Last();
        Assert.Equal((3L, 3L, 0L, 0L), (Count(summary, "NotSent"), Count(summary, "New"), Count(summary, "Changed"), Count(summary, "Unchanged")));
        Assert.Empty(Directory.GetFiles(s.WorkDir, "journal.db*"));
        Assert.Empty(s.Sandbox.State.Requests);
    }

    [Fact]
    public async Task WhatIf_warns_of_batches_an_earlier_send_kept_which_a_send_settles_first()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new MetricaCrm.Sandbox.FaultRule { PathContains = "simple_orders", Status = 403, ErrorType = "access_denied", Message = "Access is denied", Times = 1 });
        var file = s.WriteFile("orders.csv", JournalSendTests.Orders(3, _ => "paid"));
        var refused = s.Run(SendOrders(file));
        Assert.Equal(3L, Count(refused.Output.Last(), "Pending"));
        var journal = JournalFiles(s.WorkDir);
        var preview = s.Run(SendOrders(file, "-WhatIf"));
        Assert.Empty(preview.Errors);
        Assert.Contains(preview.Warnings, w => w.Message.StartsWith("1 earlier simple_orders upload(s) of counter 7 (3 records) are kept in the upload journal: a send settles them"));
        Assert.Equal(journal, JournalFiles(s.WorkDir));
    }

    [Theory]
    [InlineData("contacts.csv", "uniq_id,name,emails\nK-1,Иван,a@b.ru\nK-2,Пётр,b@b.ru\n", "uniq_id,name,emails\nK-1,Иван,a@b.ru\nK-2,Пётр Петров,b@b.ru\nK-3,Анна,c@b.ru\n",
        "Import-CrmClient '{0}' | Send-MetricaContact -CounterId 5", "contact K-2 (")]
    [InlineData("deals.csv", "id,create_date_time,client_uniq_id,order_status,revenue\nD-1,{1},K-1,PAID,10\nD-2,{1},K-1,PAID,20\n",
        "id,create_date_time,client_uniq_id,order_status,revenue\nD-1,{1},K-1,PAID,10\nD-2,{1},K-1,PAID,25\nD-3,{1},K-1,PAID,30\n",
        "Import-CrmOrder '{0}' -TimeZone 'Europe/Moscow' | Send-MetricaOrder -CounterId 5 -Format Json", "order D-2 (")]
    public async Task WhatIf_of_the_detailed_sends_reads_the_journal_too(string name, string first, string second, string send, string changedPrefix)
    {
        await using var s = await ModuleSession.StartAsync();
        string day = DateTime.Now.AddDays(-1).ToString("yyyy-MM-dd 10:00:00");
        var firstFile = s.WriteFile(name, string.Format(first, "", day));
        string Send(string file, string extra) => string.Format(send, file) + $" {ModuleSession.Api} -InformationVariable iv {extra}; $iv[-1].MessageData";
        var sent = s.Run(Send(firstFile, ""));
        Assert.Empty(sent.Errors);
        var journal = JournalFiles(s.WorkDir);
        var secondFile = s.WriteFile("next-" + name, string.Format(second, "", day));
        var preview = s.Run(Send(secondFile, "-WhatIf -Verbose"));
        Assert.Empty(preview.Errors);
        var summary = preview.Output.Last();
        Assert.Equal((2L, 1L, 1L, 1L), (Count(summary, "NotSent"), Count(summary, "New"), Count(summary, "Changed"), Count(summary, "Unchanged")));
        Assert.StartsWith(changedPrefix, Assert.Single(preview.Verbose, v => v.Message.Contains("changed since Metrica accepted it")).Message);
        Assert.Equal(journal, JournalFiles(s.WorkDir));
    }

    [Fact]
    public async Task Progress_says_what_the_send_is_doing_a_few_times_a_second_not_once_per_thousand_records()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", JournalSendTests.Orders(20_000, _ => "new"));
        string send = SendOrders(file, "-BatchSize 2000");
        var clock = Stopwatch.StartNew();
        var first = s.Run(send);
        clock.Stop();
        Assert.Empty(first.Errors);
        Assert.Equal(20_000L, Count(first.Output.Last(), "Sent"));
        AssertThrottled(first, clock.Elapsed);
        var statuses = first.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).Select(p => p.StatusDescription).ToList();
        Assert.DoesNotContain(statuses, t => t.Contains("0 sent so far"));
        // Once every record is read, the status says so, what the journal said of them, and which batch of how many is uploading.
        Assert.Contains(statuses, t => t.StartsWith("Read all 20") && t.Contains("000 checked against the upload journal") &&
                                       t.Contains("uploading batch 10 of 10") && t.Contains("waiting for Metrica's answer"));
        Assert.Equal(ProgressRecordType.Completed, first.Progress.Last().RecordType);

        // The same file again: every order unchanged, so nothing is uploading.
        clock.Restart();
        var again = s.Run(send);
        clock.Stop();
        AssertThrottled(again, clock.Elapsed);
        var last = again.Progress.Last(p => p.RecordType == ProgressRecordType.Processing).StatusDescription;
        Assert.Contains(" changed, 20", last);
        Assert.DoesNotContain("uploading batch", last);
    }

    [Fact]
    public async Task Ctrl_C_stops_a_send_while_it_reads_records_between_two_progress_reports()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", JournalSendTests.Orders(100_000, _ => "new"));
        // Passed by name, every record is read inside one ProcessRecord: no upstream cmdlet notices the stop for it.
        Assert.Empty(s.Run($"$orders = Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map {JournalSendTests.Map}").Errors);
        using var ps = PowerShell.Create();
        ps.Runspace = typeof(ModuleSession).GetField("_runspace", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(s) as System.Management.Automation.Runspaces.Runspace;
        ps.AddScript($"Send-MetricaConversion -InputObject $orders -CounterId 7 {ModuleSession.Api} -BatchSize 1000000");
        var async = ps.BeginInvoke();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!ps.Streams.Progress.Any(p => p.StatusDescription.StartsWith("Reading: ", StringComparison.Ordinal)) && DateTime.UtcNow < deadline) await Task.Delay(10);
        var started = DateTime.UtcNow;
        ps.Stop();
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(async));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
        Assert.DoesNotContain(ps.Streams.Progress, p => p.StatusDescription.StartsWith("Read all", StringComparison.Ordinal));
        Assert.Empty(s.Requests("/data/simple_orders"));
    }

    /// <summary>At most four progress records a second, and the few a send always writes (its last status, its end).</summary>
    private static void AssertThrottled(RunResult r, TimeSpan elapsed)
    {
        int allowed = (int)Math.Ceiling(elapsed.TotalSeconds * 4) + 4;
        Assert.InRange(r.Progress.Count(p => p.Activity.StartsWith("Send-MetricaConversion", StringComparison.Ordinal)), 2, allowed);
    }
}
