using MetricaCrm.Sandbox;
using MetricaCrm.Sandbox.Cdp;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// Issue 21: an UPDATE that leaves fields out for some rows sends files holding only the columns their rows fill (the
/// sandbox reads an empty cell as a clear, so an empty cell shows as lost data), grouped per batch, and a resume of such
/// files still settles them; an unanswered read fails in the seconds -RequestTimeout gives, not in ten minutes.
/// </summary>
public sealed class UpdateColumnsTests
{
    private const long Counter = 4242;

    private static async Task<ModuleSession> WithContactsAsync()
    {
        var s = await ModuleSession.StartAsync();
        Assert.Empty(s.Run($"Set-MetricaAttribute -CounterId {Counter} -EntityType CONTACT -Name shoe_size {ModuleSession.Api} -Force").Errors);
        var all = s.WriteFile("all.csv", "uniq_id;name;phones;emails;shoe_size\n" +
            "K-1;Иван;79995550001;k1@shop.ru;41\nK-2;Анна;79995550002;k2@shop.ru;37\nK-3;Олег;79995550003;k3@shop.ru;43\nK-4;Мария;79995550004;k4@shop.ru;38\n");
        var saved = s.Run($"Import-CrmClient '{all}' -Attribute shoe_size | Send-MetricaContact -CounterId {Counter} {ModuleSession.Api}");
        Assert.Empty(saved.Errors);
        Assert.Single(saved.Output); // every contact fills the same columns: one upload
        return s;
    }

    /// <summary>K-1 and K-3 get a phone, K-2 a name, K-4 both: three shapes, and only what each row fills may change.</summary>
    private static string Changes(ModuleSession s) => s.WriteFile("changes.csv", "uniq_id;name;phones;emails;shoe_size\n" +
        "K-1;;79990000001;;\nK-2;Анна Новая;;;\nK-3;;79990000003;;\nK-4;Мария Новая;79990000004;;39\n");

    private static StoredUpload[] Updates(ModuleSession s) =>
        s.Counter(Counter).Uploads.Where(u => u.EntityType == "CONTACT" && u.MergeMode == "UPDATE").OrderBy(u => u.DateTime).ToArray();

    private static string Header(StoredUpload u) => u.FileText.Split('\n')[0];

    private static void AssertStoredAfterChanges(ModuleSession s)
    {
        var c = s.Counter(Counter).Cdp.Contacts;
        string Row(string id) => string.Join("|", c[id].Fields.GetValueOrDefault("name"), c[id].Fields.GetValueOrDefault("phones"),
            c[id].Fields.GetValueOrDefault("emails"), c[id].Attributes.GetValueOrDefault("shoe_size"));
        Assert.Equal("Иван|79990000001|k1@shop.ru|41", Row("K-1"));
        Assert.Equal("Анна Новая|79995550002|k2@shop.ru|37", Row("K-2"));
        Assert.Equal("Олег|79990000003|k3@shop.ru|43", Row("K-3"));
        Assert.Equal("Мария Новая|79990000004|k4@shop.ru|39", Row("K-4"));
    }

    [Fact]
    public async Task An_update_that_leaves_fields_out_for_some_rows_sends_one_file_per_shape_and_keeps_every_other_field()
    {
        await using var s = await WithContactsAsync();
        var r = s.Run($"Import-CrmClient '{Changes(s)}' -Attribute shoe_size | Send-MetricaContact -CounterId {Counter} -MergeMode Update {ModuleSession.Api} -PassThru");
        Assert.Empty(r.Errors);
        var summary = r.Output.Last(o => o.TypeNames[0].EndsWith(".UploadSummary"));
        Assert.Equal((4L, 4L, 3), ((long)summary.Properties["Received"].Value, (long)summary.Properties["Sent"].Value, (int)summary.Properties["Uploads"].Value));
        Assert.True((bool)summary.Properties["Reconciles"].Value);

        // One batch, three files in the order each shape first came; cutting at every change of columns would make four.
        var updates = Updates(s);
        Assert.Equal(new[] { "uniq_id,phones", "uniq_id,name", "uniq_id,name,phones,shoe_size" }, updates.Select(Header));
        Assert.Equal(new long[] { 2, 1, 1 }, updates.Select(u => u.ElementsCount));
        Assert.All(updates, u => Assert.DoesNotContain(",,", u.FileText));
        Assert.All(updates, u => Assert.All(u.FileText.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.False(line.EndsWith(','), line)));
        AssertStoredAfterChanges(s);

        // The journal holds each file as a batch of its own, all accepted, and each record once.
        var journal = s.Run($"Get-MetricaUploadJournal -CounterId {Counter}");
        var rows = journal.Output.Select(b => (b.Properties["State"].Value.ToString(), Convert.ToInt64(b.Properties["Rows"].Value))).ToList();
        Assert.Equal(4, rows.Count); // the SAVE and the three UPDATE files
        Assert.All(rows, b => Assert.Equal("Accepted", b.Item1));
        Assert.Equal(4 + 4, rows.Sum(b => b.Item2));
    }

    [Fact]
    public async Task A_csv_contact_with_a_company_id_is_refused_with_its_line_and_json_sends_it()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("company.csv", "uniq_id;name;company_uniq_id\nK-1;Иван;F-1\nK-2;Анна;\n");
        var csv = s.Run($"Import-CrmClient '{file}' | Send-MetricaContact -CounterId {Counter} {ModuleSession.Api}");
        var error = Assert.Single(csv.Errors);
        Assert.Equal("JsonOnlyField", csv.ErrorIds.Single());
        Assert.Contains("line 2", error.Exception.Message);
        Assert.Contains("-Format Json", error.ToString());
        var stored = s.Counter(Counter).Cdp.Contacts;
        Assert.Equal(new[] { "K-2" }, stored.Keys);
        Assert.Equal("uniq_id,name", Header(s.Counter(Counter).Uploads.Single()));

        Assert.Empty(s.Run($"Import-CrmClient '{file}' | Send-MetricaContact -CounterId {Counter} -Format Json {ModuleSession.Api}").Errors);
        Assert.Equal("F-1", s.Counter(Counter).Cdp.Contacts["K-1"].Fields["company_uniq_id"]);
    }

    [Fact]
    public async Task Grouped_files_kept_by_a_spent_budget_are_resumed_file_by_file_and_the_counts_reconcile()
    {
        await using var s = await WithContactsAsync();
        // Access is refused at the batch's first file (a revoked grant, later restored): it and the batch's two other files are kept.
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "/data/contacts/csv", Status = 403, ErrorType = "access_denied", Message = "Access is denied", Times = 1 });
        var r = s.Run($"Import-CrmClient '{Changes(s)}' -Attribute shoe_size | Send-MetricaContact -CounterId {Counter} -MergeMode Update {ModuleSession.Api} -PassThru");
        var summary = r.Output.Last(o => o.TypeNames[0].EndsWith(".UploadSummary"));
        Assert.Equal((0L, 4L), ((long)summary.Properties["Sent"].Value, (long)summary.Properties["Pending"].Value));
        Assert.True((bool)summary.Properties["Reconciles"].Value);
        Assert.Contains(r.Warnings, w => w.Message.StartsWith("4 contact(s) in 3 upload(s) were not accepted yet and are kept in the upload journal"));
        Assert.Empty(Updates(s));
        var kept = s.Run($"Get-MetricaUploadJournal -CounterId {Counter} -Pending");
        Assert.Equal(new long[] { 2, 1, 1 }, kept.Output.Select(b => Convert.ToInt64(b.Properties["Rows"].Value)).OrderByDescending(n => n));

        var resumed = s.Run($"Resume-MetricaUpload -CounterId {Counter} {ModuleSession.Api}");
        Assert.Empty(resumed.Errors);
        Assert.All(resumed.Output, b => Assert.Equal("Accepted", b.Properties["State"].Value.ToString()));
        var updates = Updates(s);
        Assert.Equal(3, updates.Length); // each kept file sent once, as written
        Assert.Equal(new[] { "uniq_id,name", "uniq_id,name,phones,shoe_size", "uniq_id,phones" }, updates.Select(Header).Order());
        AssertStoredAfterChanges(s);
        Assert.Empty(s.Run($"Get-MetricaUploadJournal -CounterId {Counter} -Pending").Output);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(s.WorkDir, "batches"), "*.csv", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_unanswered_read_of_the_counter_fails_within_the_request_timeout_and_nothing_is_sent()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = $"/management/v1/counter/{Counter}", NoResponse = true, Times = 5 });
        var file = s.WriteFile("one.csv", "uniq_id;name\nK-1;Иван\n");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var r = s.Run($"Import-CrmClient '{file}' | Send-MetricaContact -CounterId {Counter} {ModuleSession.Api} -RequestTimeout '00:00:01' -MaxRetryCount 1");
        clock.Stop();
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(30));
        var all = r.AllText() + (r.Terminating?.Message ?? "");
        Assert.Contains("no answer within 1 s, the -RequestTimeout", all);
        Assert.Empty(s.Requests("/data/contacts"));
        Assert.Empty(s.Counter(Counter).Cdp.Contacts);
    }
}
