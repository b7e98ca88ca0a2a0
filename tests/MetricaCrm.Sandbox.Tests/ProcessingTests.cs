using static MetricaCrm.Sandbox.Tests.OfflineUploads;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>How an offline upload is processed: its statuses over time, which rows link to visitors, and overwrites.</summary>
public sealed class ProcessingTests
{
    [Fact]
    public async Task Upload_walks_prepared_uploaded_matched_processed_over_the_processing_delay()
    {
        var clock = new ManualClock();
        await using var s = await SandboxClient.StartAsync(new SandboxOptions { ProcessingDelay = TimeSpan.FromMinutes(30), Clock = clock });
        await s.AddVisitorsAsync($$"""[{"clientId":"1","visits":["{{VisitHoursAgo(5)}}"]}]""");
        var u = await s.AcceptedAsync(Conversions, $"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(2)}\n2,order_confirmed,{HoursAgo(2)}\n");
        long id = u.GetProperty("id").GetInt64();
        Assert.Equal("PREPARED", u.Str("status"));
        Assert.Equal(2, u.Int("source_quantity"));
        Assert.Equal(2, u.Int("line_quantity"));
        Assert.Equal(0, u.Int("linked_quantity"));
        Assert.Equal(0, u.Int("user_not_found_quantity"));

        async Task<System.Text.Json.JsonElement> Read() =>
            (await s.GetAsync($"/management/v1/counter/1/offline_conversions/uploading/{id}")).Body.GetProperty("uploading");
        clock.Now += TimeSpan.FromMinutes(10);
        u = await Read();
        Assert.Equal("UPLOADED", u.Str("status"));
        Assert.Equal(0, u.Int("linked_quantity"));
        clock.Now += TimeSpan.FromMinutes(10);
        u = await Read();
        Assert.Equal("MATCHED", u.Str("status"));
        Assert.Equal(1, u.Int("linked_quantity"));
        Assert.Equal(1, u.Int("user_not_found_quantity"));
        clock.Now += TimeSpan.FromMinutes(10);
        u = await Read();
        Assert.Equal("PROCESSED", u.Str("status"));
        Assert.Equal(1, u.Int("linked_quantity"));
        // The list shows the same status as the single read.
        var listed = (await s.GetAsync("/management/v1/counter/1/offline_conversions/uploadings")).Body.GetProperty("uploadings")[0];
        Assert.Equal("PROCESSED", listed.Str("status"));
    }

    [Fact]
    public async Task Without_a_processing_delay_the_upload_is_final_at_once_and_linkage_failure_when_nothing_linked()
    {
        await using var s = await SandboxClient.StartAsync();
        var u = await s.AcceptedAsync(Conversions, $"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(2)}\n");
        Assert.Equal("LINKAGE_FAILURE", u.Str("status"));
        await s.AddVisitorsAsync($$"""[{"clientId":"1","visits":["{{VisitHoursAgo(5)}}"]}]""");
        u = await s.AcceptedAsync(Conversions, $"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(2)}\n");
        Assert.Equal("PROCESSED", u.Str("status"));
    }

    [Fact]
    public async Task Rows_link_by_each_identifier_only_to_a_visit_before_them_within_21_days()
    {
        await using var s = await SandboxClient.StartAsync();
        await s.AddVisitorsAsync($$"""
            [{"clientId":"133591247640966458","visits":["{{VisitHoursAgo(48)}}","{{VisitHoursAgo(3)}}"]},
             {"userId":"crm-1","visits":["{{VisitHoursAgo(24 * 20)}}"]},
             {"clientId":"2","yclid":"6350236490143727615","visits":["{{VisitHoursAgo(10)}}"]},
             {"purchaseIds":["order-7","order-8"],"visits":["{{VisitHoursAgo(30)}}"]},
             {"clientId":"3","visits":["{{VisitHoursAgo(24 * 22)}}"]},
             {"userId":"crm-late","visits":["{{VisitHoursAgo(1)}}"]},
             {"clientId":"4","visits":["{{VisitHoursAgo(24 * 26)}}","{{VisitHoursAgo(2)}}"]}]
            """);
        string csv = "ClientId,UserId,Yclid,PurchaseId,Target,DateTime\n" +
                     $"133591247640966458,,,,order_confirmed,{HoursAgo(1)}\n" +        // linked: last visit before it 3 h ago
                     $",crm-1,,,order_confirmed,{HoursAgo(24 * 19)}\n" +               // linked: visit 20 days before upload
                     $",,6350236490143727615,,callback_request,{HoursAgo(5)}\n" +      // linked by Yclid
                     $",,,order-8,order_confirmed,{HoursAgo(29)}\n" +                  // linked by purchase id
                     $"3,,,,order_confirmed,{HoursAgo(24 * 21)}\n" +                   // last visit 22 days before upload
                     $",crm-late,,,order_confirmed,{HoursAgo(2)}\n" +                  // the only visit came after the conversion
                     $"4,,,,order_confirmed,{HoursAgo(24 * 25)}\n" +                   // its visit before it is 26 days old
                     $"999,,,,order_confirmed,{HoursAgo(1)}\n" +                       // unknown visitor
                     $",,,order-0,order_confirmed,{HoursAgo(1)}\n";                    // unknown purchase
        var u = await s.AcceptedAsync(Conversions, csv);
        Assert.Equal(9, u.Int("line_quantity"));
        Assert.Equal(4, u.Int("linked_quantity"));
        Assert.Equal(2, u.Int("user_not_found_quantity"));
        Assert.Equal(0, u.Int("goal_not_found_quantity"));
        Assert.Equal("PROCESSED", u.Str("status"));

        var outcomes = (await s.GetAsync("/sandbox/counters/1/conversions")).Body.GetProperty("conversions").EnumerateArray().Select(c => c.Str("outcome")).ToArray();
        Assert.Equal(new[]
        {
            "Linked", "Linked", "Linked", "Linked", "LastVisitOlderThan21Days", "NoVisitBeforeConversion", "LastVisitOlderThan21Days",
            "UserNotFound", "UserNotFound",
        }, outcomes);
    }

    [Fact]
    public async Task Re_uploading_the_same_identifier_goal_and_time_overwrites_the_conversion()
    {
        await using var s = await SandboxClient.StartAsync();
        long at = HoursAgo(5), later = HoursAgo(4);
        long first = (await s.AcceptedAsync(Conversions, $"ClientId,Target,DateTime,Price\n1,order_confirmed,{at},100\n")).GetProperty("id").GetInt64();
        long second = (await s.AcceptedAsync(Conversions,
            $"ClientId,Target,DateTime,Price\n1,order_confirmed,{at},250.5\n1,order_confirmed,{later},10\n1,callback_request,{at},1\n")).GetProperty("id").GetInt64();
        var conversions = (await s.GetAsync("/sandbox/counters/1/conversions")).Body.GetProperty("conversions").EnumerateArray().ToList();
        Assert.Equal(3, conversions.Count);
        var overwritten = conversions.Single(c => c.GetProperty("dateTime").GetInt64() == at && c.Str("target") == "order_confirmed");
        Assert.Equal(250.5m, overwritten.GetProperty("price").GetDecimal());
        Assert.Equal(second, overwritten.GetProperty("uploadId").GetInt64());
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Re_uploading_a_call_with_the_same_identifier_and_time_overwrites_it()
    {
        await using var s = await SandboxClient.StartAsync();
        long at = HoursAgo(5);
        await s.AcceptedAsync(Calls, $"ClientId,DateTime,TalkDuration\n1,{at},10\n");
        await s.AcceptedAsync(Calls, $"ClientId,DateTime,TalkDuration\n1,{at},60\n");
        var call = Assert.Single((await s.GetAsync("/sandbox/counters/1/calls")).Body.GetProperty("calls").EnumerateArray());
        Assert.Equal(60, call.Int("talkDuration"));
    }

    [Fact]
    public async Task Visitors_belong_to_their_counter()
    {
        await using var s = await SandboxClient.StartAsync();
        await s.AddVisitorsAsync($$"""[{"clientId":"1","visits":["{{VisitHoursAgo(5)}}"]}]""", counter: 2);
        var u = await s.AcceptedAsync(Conversions, $"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(2)}\n");
        Assert.Equal(1, u.Int("user_not_found_quantity"));
        var visitors = (await s.GetAsync("/sandbox/counters/2/visitors")).Body;
        Assert.Equal("1", Assert.Single(visitors.EnumerateArray()).Str("clientId"));
    }

    [Theory]
    [InlineData("""{"clientId":"1"}""", "invalid_json")]
    [InlineData("""[{"clientId":"1","visits":["yesterday"]}]""", "invalid_json")]
    [InlineData("""[{"userId":null,"visits":["2025-01-01T10:00:00Z"]}]""", "invalid_parameter")]
    [InlineData("""[{"clientId":"abc","visits":["2025-01-01T10:00:00Z"]}]""", "invalid_parameter")]
    [InlineData("""[{"clientId":"1","visits":[]}]""", "invalid_parameter")]
    public async Task Visitors_endpoint_refuses_what_it_cannot_use(string json, string errorType)
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync("/sandbox/counters/1/visitors", SandboxClient.Json(json)), 400, errorType);
    }
}
