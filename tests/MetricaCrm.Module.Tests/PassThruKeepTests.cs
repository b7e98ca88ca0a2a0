using System.Text.RegularExpressions;
using MetricaCrm.Sandbox;

namespace MetricaCrm.Module.Tests;

/// <summary>-PassThru (only the typed summary on the output, with the uploads in it) and -KeepUploadFile (uploaded batches kept for audit) on the Send cmdlets.</summary>
public sealed class PassThruKeepTests
{
    private const string Header = "id,create_date_time,emails,order_status,revenue,currency";

    private static string Orders(int count) => Header + "\n" + string.Join("\n", Enumerable.Range(1, count).Select(i =>
        $"K-{i},{DateTime.UtcNow.AddDays(-1):yyyy-MM-dd HH:mm:ss},k{i}@example.ru,paid,{i}00,RUB")) + "\n";

    private static string Send(string file, string extra) =>
        $"Import-CrmOrder '{file}' -TimeZone UTC | Convert-MetricaStatus -Map @{{ paid = 'PAID' }} | Send-MetricaConversion -CounterId 12345 {ModuleSession.Api} {extra}";

    [Fact]
    public async Task PassThru_writes_only_the_summary_which_carries_the_uploads()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders(3));
        var r = s.Run(Send(file, "-BatchSize 2 -PassThru"));

        Assert.Empty(r.Errors);
        var summary = Assert.Single(r.Output); // one kind per output: no MetricaUpload next to it
        Assert.Equal("MetricaCrm.Engine.Upload.UploadSummary", summary.BaseObject.GetType().FullName);
        Assert.Equal(3L, summary.Properties["Received"].Value);
        Assert.Equal(3L, summary.Properties["Sent"].Value);
        Assert.Equal(2, summary.Properties["Uploads"].Value);
        Assert.True((bool)summary.Properties["Reconciles"].Value);
        var uploads = ((System.Collections.IEnumerable)summary.Properties["UploadResults"].Value).Cast<object>().Select(PSObject.AsPSObject).ToList();
        Assert.All(uploads, u => Assert.Equal("MetricaCrm.Engine.Metrica.MetricaUpload", u.BaseObject.GetType().FullName));
        Assert.Equal(new object[] { 2L, 1L }, uploads.Select(u => u.Properties["RowsSent"].Value));
        Assert.Equal(2, uploads.Select(u => u.Properties["UploadId"].Value).Distinct().Count());

        // Without -PassThru the output holds only the uploads (-Force: the journal knows these orders are unchanged).
        var plain = s.Run(Send(file, "-BatchSize 2 -Force")).Output;
        Assert.Equal(2, plain.Count);
        Assert.All(plain, o => Assert.Equal("MetricaCrm.Engine.Metrica.MetricaUpload", o.BaseObject.GetType().FullName));
    }

    [Fact]
    public async Task KeepUploadFile_moves_each_uploaded_batch_to_the_folder_with_its_upload_id()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders(3));
        var keep = Path.Combine(s.WorkDir, "audit", "uploads");
        s.SetVariable("keep", keep);
        var r = s.Run(Send(file, "-BatchSize 2 -KeepUploadFile $keep"));

        Assert.Empty(r.Errors);
        var kept = Directory.GetFiles(keep).Select(Path.GetFileName).ToList();
        Assert.Equal(2, kept.Count);
        // Each upload's file is kept under its run time, counter, upload id and batch name.
        var files = r.Output.Select(o => Path.Combine(keep, Assert.Single(kept, k => Regex.IsMatch(k!,
            $@"^\d{{8}}-\d{{6}}_12345_{o.Properties["UploadId"].Value}_{Regex.Escape((string)o.Properties["File"].Value)}$"))!)).ToList();
        // The kept file is what went over the wire, in upload order.
        Assert.Contains("K-1", File.ReadAllText(files[0]));
        Assert.Contains("K-3", File.ReadAllText(files[1]));
        Assert.Equal(3, (await s.StoredOrdersAsync(12345)).Count);
    }

    [Fact]
    public async Task KeepUploadFile_keeps_a_refused_upload_and_nothing_under_WhatIf()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders(1));
        var keep = Path.Combine(s.WorkDir, "audit");
        s.SetVariable("keep", keep);

        s.Run(Send(file, "-KeepUploadFile $keep -WhatIf"));
        Assert.False(Directory.Exists(keep) && Directory.GetFiles(keep).Length > 0);

        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = 400, Times = 1 });
        var r = s.Run(Send(file, "-KeepUploadFile $keep"));
        Assert.NotEmpty(r.Errors);
        Assert.Matches(@"_12345_refused_simple_orders_0001", Path.GetFileName(Assert.Single(Directory.GetFiles(keep))));
    }
}
