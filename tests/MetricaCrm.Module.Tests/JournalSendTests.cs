namespace MetricaCrm.Module.Tests;

/// <summary>Issue 8: the Send cmdlets remember what Metrica accepted, so a daily run sends only what changed.</summary>
public sealed class JournalSendTests
{
    internal const string Map = "@{ new = 'IN_PROGRESS'; paid = 'PAID' }";

    /// <summary>One creation time for every file of a test: a changed one would be refused (CreateDateChanged).</summary>
    private static readonly string Day = DateTime.Now.AddDays(-2).ToString("yyyy-MM-dd HH:mm:ss");

    /// <summary>Orders O-1..O-count, each with an e-mail, of one creation time, for the journal's tests.</summary>
    internal static string Orders(int count, Func<int, string> status)
    {
        var day = Day;
        var sb = new System.Text.StringBuilder("id,create_date_time,emails,order_status,revenue\n");
        for (int i = 1; i <= count; i++) sb.Append($"O-{i},{day},u{i}@example.ru,{status(i)},{i}\n");
        return sb.ToString();
    }

    private static string Send(string file, string extra = "") =>
        $"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map {Map} | " +
        $"Send-MetricaConversion -CounterId 7 {ModuleSession.Api} -BatchSize 4000 -InformationVariable iv {extra}; $iv[-1].MessageData";

    private static (long Received, long Sent, long Unchanged) Counts(RunResult r)
    {
        var summary = r.Output.Last();
        return ((long)summary.Properties["Received"].Value, (long)summary.Properties["Sent"].Value, (long)summary.Properties["Unchanged"].Value);
    }

    [Fact]
    public async Task A_second_identical_run_sends_nothing_and_ten_changes_send_ten()
    {
        await using var s = await ModuleSession.StartAsync();
        var first = s.WriteFile("day1.csv", Orders(10_000, _ => "new"));
        var r1 = s.Run(Send(first));
        Assert.Empty(r1.Errors);
        Assert.Equal((10_000L, 10_000L, 0L), Counts(r1));
        Assert.Equal(3, s.Requests("/data/simple_orders").Count);

        var again = s.Run(Send(first));
        Assert.Empty(again.Errors);
        Assert.Equal((10_000L, 0L, 10_000L), Counts(again));
        Assert.Equal(3, s.Requests("/data/simple_orders").Count);             // nothing sent for nothing

        var changed = s.WriteFile("day2.csv", Orders(10_000, i => i % 1000 == 0 ? "paid" : "new"));
        var r2 = s.Run(Send(changed));
        Assert.Empty(r2.Errors);
        Assert.Equal((10_000L, 10L, 9_990L), Counts(r2));
        var upload = Assert.Single(s.Counter(7).Uploads.Skip(3));
        Assert.Equal(10, upload.ElementsCount);
        Assert.Equal("PAID", s.Counter(7).Orders["O-5000"].OrderStatus);

        var forced = s.Run(Send(changed, "-Force"));
        Assert.Equal((10_000L, 10_000L, 0L), Counts(forced));

        // What the journal holds: every batch with its upload id and outcome, and no token.
        var batches = s.Run("Get-MetricaUploadJournal -JournalPath ([IO.Path]::Combine($work, 'journal.db')) -CounterId 7");
        Assert.Equal(7, batches.Output.Count);
        Assert.All(batches.Output, b => Assert.Equal("Accepted", b.Properties["State"].Value.ToString()));
        Assert.All(batches.Output, b => Assert.False(string.IsNullOrEmpty((string)b.Properties["UploadId"].Value)));
        // And what it holds of one record: accepted last by the forced run, with its creation time.
        var record = Assert.Single(s.Run("Get-MetricaUploadJournal -CounterId 7 -Kind SimpleOrders -RecordId O-5000").Output);
        Assert.Equal("Accepted", record.Properties["State"].Value.ToString());
        Assert.Equal(s.Counter(7).Orders["O-5000"].UploadId, (string)record.Properties["UploadId"].Value);
        var bytes = File.ReadAllBytes(Path.Combine(s.WorkDir, "journal.db"));
        Assert.Equal(-1, IndexOf(bytes, System.Text.Encoding.UTF8.GetBytes(MetricaCrm.Sandbox.SandboxOptions.DefaultToken)));
    }

    [Fact]
    public async Task A_refused_upload_is_recorded_as_failed_and_its_orders_are_sent_again_next_time()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders(3, _ => "paid"));
        s.Sandbox.State.AddFault(new MetricaCrm.Sandbox.FaultRule { PathContains = "simple_orders", Status = 400, ErrorType = "invalid_uploading", Times = 1 });
        var refused = s.Run(Send(file));
        Assert.Equal("MetricaInvalidUploading", Assert.Single(refused.ErrorIds));
        var state = s.Run("(Get-MetricaUploadJournal -JournalPath ([IO.Path]::Combine($work, 'journal.db')) -CounterId 7).State");
        Assert.Equal("Failed", Assert.Single(state.Output).ToString());

        var retry = s.Run(Send(file));
        Assert.Empty(retry.Errors);
        Assert.Equal((3L, 3L, 0L), Counts(retry));                              // nothing was accepted, so nothing is unchanged
    }

    [Fact]
    public async Task WhatIf_and_NoJournal_leave_no_journal()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders(2, _ => "paid"));
        Assert.Empty(s.Run(Send(file, "-WhatIf")).Errors);
        Assert.Empty(s.Run(Send(file, "-NoJournal")).Errors);
        Assert.False(File.Exists(Path.Combine(s.WorkDir, "journal.db")));
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        return -1;
    }
}

/// <summary>The -UploadId completer reads the local journal (METRICA_JOURNAL here), never Metrica.</summary>
[Collection("METRICA_JOURNAL")]
public sealed class UploadIdCompletionTests
{
    [Fact]
    public async Task UploadId_completes_from_the_journal_without_a_request()
    {
        await using var s = await ModuleSession.StartAsync();
        var journal = Path.Combine(s.WorkDir, "journal.db");
        var file = s.WriteFile("orders.csv", $"id,create_date_time,emails,order_status\nA-1,{RecentDay} 10:00:00,a@b.ru,PAID\n");
        var sent = s.Run($"Import-CrmOrder '{file}' | Send-MetricaConversion -CounterId 987654 {ModuleSession.Api}");
        string uploadId = (string)Assert.Single(sent.Output).Properties["UploadId"].Value;
        int requests = s.Sandbox.State.Requests.Count;
        Environment.SetEnvironmentVariable("METRICA_JOURNAL", journal);
        try
        {
            var line = $"Get-MetricaUploadStatus -CounterId 987654 -UploadId {uploadId[..4]}";
            var r = s.Run("param($line) [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches", line);
            Assert.Equal(uploadId, (string)Assert.Single(r.Output).Properties["CompletionText"].Value);
        }
        finally { Environment.SetEnvironmentVariable("METRICA_JOURNAL", null); }
        Assert.Equal(requests, s.Sandbox.State.Requests.Count);
    }
}
