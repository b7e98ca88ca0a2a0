using System.Net.Http.Json;

namespace MetricaCrm.Module.Tests;

/// <summary>Issue 9: offline conversions and calls through PowerShell into the sandbox, followed until Metrica has linked them.</summary>
public sealed class OfflineConversionTests
{
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
    private const long Counter = 12345;

    /// <summary>A time some hours ago, as a Moscow shop writes it, and the same instant as Unix seconds.</summary>
    private static (string Local, long Epoch) Ago(double hours)
    {
        var instant = DateTimeOffset.UtcNow.AddHours(-hours);
        instant = instant.AddTicks(-(instant.Ticks % TimeSpan.TicksPerMinute)); // the file has minutes only
        return (TimeZoneInfo.ConvertTime(instant, Moscow).ToString("dd.MM.yyyy HH:mm"), instant.ToUnixTimeSeconds());
    }

    private static async Task AddVisitorAsync(ModuleSession s, string clientId, double visitedHoursAgo) =>
        (await s.Http.PostAsJsonAsync($"/sandbox/counters/{Counter}/visitors",
            new[] { new { clientId, visits = new[] { DateTimeOffset.UtcNow.AddHours(-visitedHoursAgo) } } })).EnsureSuccessStatusCode();

    [Fact]
    public async Task Shop_sales_are_uploaded_as_documented_and_followed_until_processed()
    {
        await using var s = await ModuleSession.StartAsync(processingDelay: TimeSpan.FromSeconds(1.5));
        await AddVisitorAsync(s, "133591247640966458", visitedHoursAgo: 30);
        await AddVisitorAsync(s, "133591247640966459", visitedHoursAgo: 10);
        var (t1, e1) = Ago(5);
        var (t2, e2) = Ago(8);
        var (t3, e3) = Ago(3);
        var sales = s.WriteFile("shop_sales.csv", "ClientID;Цель;Дата и время;Сумма;Валюта\n" +
            $"133591247640966458;order_confirmed;{t1};\"4 990,50\";RUB\n" +
            $"133591247640966459;order_confirmed;{t2};1200;RUB\n" +
            $"177777777777777777;order_confirmed;{t3};300;RUB\n");
        var r = s.Run($"Import-CrmConversion '{sales}' -TimeZone 'Europe/Moscow' | " +
                      $"Send-MetricaOfflineConversion -CounterId {Counter} {ModuleSession.Api} -Comment 'shop sales' -Wait -PollInterval '00:00:00.2'");
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var upload = Assert.Single(r.Output);
        Assert.Equal("PROCESSED", upload.Properties["Status"].Value);
        Assert.Equal(3L, upload.Properties["SourceQuantity"].Value);
        Assert.Equal(2L, upload.Properties["LinkedQuantity"].Value);
        Assert.Equal(1L, upload.Properties["UserNotFoundQuantity"].Value);
        Assert.Equal(66.7, upload.Properties["LinkedPercent"].Value);
        Assert.True(s.Requests("/offline_conversions/uploading/").Count >= 2, "polled until processed");

        var sent = Assert.Single(s.Counter(Counter).Offline.Uploads);
        Assert.Equal("shop sales", sent.Comment);
        var lines = sent.FileText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("ClientId,Target,DateTime,Price,Currency", lines[0]);
        Assert.Equal($"133591247640966458,order_confirmed,{e1},4990.50,RUB", lines[1]);
        Assert.Equal($"133591247640966459,order_confirmed,{e2},1200,RUB", lines[2]);
        Assert.Contains("type=BASIC", Assert.Single(s.Requests("/offline_conversions/upload"), q => q.Path.EndsWith("/upload")).Query);

        var listed = s.Run($"Get-MetricaUploadStatus -CounterId {Counter} -Kind OfflineConversion {ModuleSession.Api}");
        Assert.Equal("PROCESSED", Assert.Single(listed.Output).Properties["Status"].Value);
        var piped = s.Run($"Get-MetricaUploadStatus -CounterId {Counter} -Kind offline_conversions -UploadId {upload.Properties["UploadId"].Value} {ModuleSession.Api}");
        Assert.Equal(2L, Assert.Single(piped.Output).Properties["LinkedQuantity"].Value);
    }

    [Fact]
    public async Task Goal_names_future_times_rows_without_identifier_and_bad_comments_are_refused_before_sending()
    {
        await using var s = await ModuleSession.StartAsync();
        var (t, _) = Ago(2);
        var future = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow.AddHours(3), Moscow).ToString("dd.MM.yyyy HH:mm");
        var sales = s.WriteFile("sales.csv", "ClientId,Target,DateTime,Price\n" +
            $"133591247640966458,Goal order_confirmed,{t},10\n" +   // the goal's name (the sandbox names goals "Goal <id>")
            $"133591247640966458,1000,{t},10\n" +                   // the goal's numeric id
            $"133591247640966458,order_confirmed,{future},10\n" +   // not happened yet
            $",order_confirmed,{t},10\n" +                          // nobody to link to
            $"133591247640966458,order_confirmed,{t},10\n");
        var r = s.Run($"Import-CrmConversion '{sales}' -TimeZone 'Europe/Moscow' | Send-MetricaOfflineConversion -CounterId {Counter} {ModuleSession.Api}");
        // Import refuses the row without an identifier and the future time; Send refuses the goal's name and numeric id.
        Assert.Equal(new[] { "FutureDateTime", "GoalNameInsteadOfIdentifier", "GoalNameInsteadOfIdentifier", "NoIdentifier" }, r.ErrorIds.Order());
        Assert.Contains(r.Errors, e => e.Exception.Message.Contains("'order_confirmed'") && e.Exception.Message.Contains("name of goal 1000"));
        Assert.Contains(r.Errors, e => e.Exception.Message.Contains("numeric id of goal 1000"));
        var lines = Assert.Single(s.Counter(Counter).Offline.Uploads).FileText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length); // header and the one good row

        var comment = s.Run($"Import-CrmConversion '{sales}' -TimeZone 'Europe/Moscow' | Send-MetricaOfflineConversion -CounterId {Counter} {ModuleSession.Api} -Comment 'run #5'");
        Assert.Contains("InvalidComment", comment.ErrorIds);
        Assert.Single(s.Counter(Counter).Offline.Uploads); // nothing more was sent
    }

    [Fact]
    public async Task Calls_from_a_call_tracker_are_uploaded_with_the_call_columns()
    {
        await using var s = await ModuleSession.StartAsync();
        await AddVisitorAsync(s, "133591247640966458", visitedHoursAgo: 6);
        var (_, e1) = Ago(2);
        var tracker = s.WriteFile("calltracker.csv", "ClientId,DateTime,PhoneNumber,TalkDuration,CallMissed,StaticCall,Tag,URL\n" +
            $"133591247640966458,{e1},8 (495) 123-45-67,1:35,0,0,sales,https://shop.example/contacts\n");
        var r = s.Run($"Import-CrmCall '{tracker}' | Send-MetricaCall -CounterId {Counter} {ModuleSession.Api} -NewGoalName 'Звонок' -Wait -PollInterval '00:00:00.2'");
        Assert.Empty(r.Errors);
        var upload = Assert.Single(r.Output);
        Assert.Equal("PROCESSED", upload.Properties["Status"].Value);
        Assert.Equal(1L, upload.Properties["DynamicCallsQuantity"].Value);
        var lines = Assert.Single(s.Counter(Counter).Offline.Uploads).FileText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("ClientId,DateTime,StaticCall,PhoneNumber,TalkDuration,CallMissed,Tag,URL", lines[0]);
        Assert.Equal($"133591247640966458,{e1},0,+74951234567,95,0,sales,https://shop.example/contacts", lines[1]);
        Assert.Contains("new_goal_name=", Assert.Single(s.Requests("/upload_calls")).Query);
    }

    [Fact]
    public async Task Calls_whose_tag_is_sometimes_empty_go_as_one_file_per_shape_without_an_empty_tag_cell()
    {
        await using var s = await ModuleSession.StartAsync();
        await AddVisitorAsync(s, "133591247640966458", visitedHoursAgo: 6);
        var (_, e1) = Ago(1);
        var (_, e2) = Ago(2);
        var (_, e3) = Ago(3);
        var (_, e4) = Ago(4);
        var tracker = s.WriteFile("tagged.csv", "ClientId,DateTime,Tag\n" +
            $"133591247640966458,{e1},sales\n133591247640966458,{e2},\n133591247640966458,{e3},support\n133591247640966458,{e4},\n");
        var r = s.Run($"Import-CrmCall '{tracker}' | Send-MetricaCall -CounterId {Counter} {ModuleSession.Api} -NewGoalName calls -PassThru");
        Assert.Empty(r.Errors);
        // Two uploads (cutting at every change of columns made four): the tagged calls, then the untagged ones.
        var files = s.Counter(Counter).Offline.Uploads.Select(u => u.FileText.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(2, files.Length);
        Assert.Equal(new[] { "ClientId,DateTime,Tag", $"133591247640966458,{e1},sales", $"133591247640966458,{e3},support" }, files[0]);
        Assert.Equal(new[] { "ClientId,DateTime", $"133591247640966458,{e2}", $"133591247640966458,{e4}" }, files[1]);
        var summary = r.Output.Last(o => o.TypeNames[0].EndsWith(".UploadSummary"));
        Assert.Equal((4L, 2), ((long)summary.Properties["Sent"].Value, (int)summary.Properties["Uploads"].Value));
    }

    [Fact]
    public async Task Linkage_failure_is_an_error_but_expected_for_static_calls_only()
    {
        await using var s = await ModuleSession.StartAsync();
        var (t, e) = Ago(2);
        var sales = s.WriteFile("sales.csv", $"ClientId,Target,DateTime\n188888888888888888,order_confirmed,{t}\n");
        var r = s.Run($"Import-CrmConversion '{sales}' -TimeZone 'Europe/Moscow' | Send-MetricaOfflineConversion -CounterId {Counter} {ModuleSession.Api} -Wait -PollInterval '00:00:00.2'");
        Assert.Equal("MetricaLinkageFailure", Assert.Single(r.ErrorIds));
        Assert.Equal("LINKAGE_FAILURE", Assert.Single(r.Output).Properties["Status"].Value);

        var tracker = s.WriteFile("static.csv", $"ClientId,DateTime,StaticCall\n188888888888888888,{e},1\n");
        var calls = s.Run($"Import-CrmCall '{tracker}' | Send-MetricaCall -CounterId {Counter} {ModuleSession.Api} -NewGoalName calls -Wait -PollInterval '00:00:00.2'");
        Assert.Empty(calls.Errors);
        Assert.Contains(calls.Warnings, w => w.Message.Contains("static calls only"));
    }
}
