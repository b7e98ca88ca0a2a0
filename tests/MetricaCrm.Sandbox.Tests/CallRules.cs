using static MetricaCrm.Sandbox.Tests.OfflineUploads;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>The calls upload (offline_conversions/upload_calls): its columns, their formats and the calls goal.</summary>
public sealed class CallRules
{
    private const string CallsWithoutGoalName = "/management/v1/counter/1/offline_conversions/upload_calls";

    [Fact]
    public async Task Accepted_calls_upload_counts_static_and_dynamic_calls()
    {
        await using var s = await SandboxClient.StartAsync();
        var u = await s.AcceptedAsync(Calls + "&comment=calls", $"ClientId,DateTime,StaticCall\n1,{HoursAgo(2)},1\n2,{HoursAgo(2)},0\n3,{HoursAgo(2)},\n");
        Assert.True(u.GetProperty("id").GetInt64() > 0);
        Assert.Equal(3, u.Int("source_quantity"));
        Assert.Equal(3, u.Int("line_quantity"));
        Assert.Equal(1, u.Int("static_calls_quantity"));
        Assert.Equal(2, u.Int("dynamic_calls_quantity")); // an empty StaticCall is a dynamic call
        Assert.Equal("calls", u.Str("comment"));
        Assert.Equal("CLIENT_ID", u.Str("client_id_type"));
        Assert.Equal(2, u.Int("user_not_found_quantity")); // the static call is not matched at all
        Assert.Equal("LINKAGE_FAILURE", u.Str("status"));
    }

    [Fact]
    public async Task New_goal_name_is_optional_creates_the_calls_goal_once_and_is_ignored_afterwards()
    {
        await using var s = await SandboxClient.StartAsync();
        string csv = $"ClientId,DateTime\n1,{HoursAgo(1)}\n";
        // uploadcalls.md: optional, the name of a goal to create when there is none. Without it: accepted, no goal named.
        await s.AcceptedAsync(CallsWithoutGoalName, csv);
        Assert.False((await s.GetAsync("/sandbox/counters/1/calls")).Body.TryGetProperty("callGoalName", out _)); // null, left out
        await s.AcceptedAsync(CallsWithoutGoalName + "?new_goal_name=" + Uri.EscapeDataString("Звонок"), csv);
        await s.AcceptedAsync(CallsWithoutGoalName + "?new_goal_name=Other", csv);
        await s.AcceptedAsync(CallsWithoutGoalName, csv);
        Assert.Equal("Звонок", (await s.GetAsync("/sandbox/counters/1/calls")).Body.Str("callGoalName"));
    }

    [Theory]
    [InlineData("ClientId,Target,DateTime", "неизвестная колонка 'Target'")]
    [InlineData("PurchaseId,DateTime", "неизвестная колонка 'PurchaseId'")]
    [InlineData("PhoneNumber,DateTime", "Отсутствует обязательная колонка: нужна хотя бы одна из UserId, ClientId, Yclid")]
    [InlineData("ClientId,StaticCall", "Отсутствует обязательная колонка DateTime")]
    public async Task Header_must_name_the_documented_call_columns(string header, string message)
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Calls, SandboxClient.CsvFile(header + "\n" + string.Join(",", header.Split(',').Select(_ => "1")) + "\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", message);
    }

    [Theory]
    [InlineData("StaticCall", "2")]
    [InlineData("StaticCall", "yes")]
    [InlineData("CallMissed", "true")]
    [InlineData("FirstTimeCaller", "-1")]
    [InlineData("TalkDuration", "-5")]
    [InlineData("TalkDuration", "12.5")]
    [InlineData("HoldDuration", "abc")]
    [InlineData("PhoneNumber", "79991234567")]
    [InlineData("PhoneNumber", "+7 999 123-45-67")]
    [InlineData("PhoneNumber", "+7(999)1234567")]
    [InlineData("URL", "example.com/landing")]
    [InlineData("URL", "ftp://example.com/landing")]
    [InlineData("CallTrackerURL", "/calls/42")]
    [InlineData("Price", "10,5")]
    public async Task Call_columns_have_documented_formats(string column, string value)
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Calls, SandboxClient.CsvFile($"ClientId,DateTime,{column}\n1,{HoursAgo(1)},\"{value}\"\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", $"ошибка в строке номер 2: Некорректное значение '{value}' в колонке {column}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.5e9")]
    public async Task Call_DateTime_must_be_unix_seconds(string value)
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Calls, SandboxClient.CsvFile($"ClientId,DateTime\n1,{value}\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", $"Некорректное значение '{value}' в колонке DateTime");
        r = await s.PostAsync(Calls, SandboxClient.CsvFile($"ClientId,DateTime\n1,{DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds()}\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", "время ещё не наступило");
    }

    [Fact]
    public async Task Call_currency_is_an_iso_4217_code()
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Calls, SandboxClient.CsvFile($"ClientId,DateTime,Price,Currency\n1,{HoursAgo(1)},100,руб\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", "Неверный код валюты");
    }

    [Fact]
    public async Task Every_call_column_is_stored_as_sent()
    {
        await using var s = await SandboxClient.StartAsync();
        long at = HoursAgo(3);
        string csv = "userid,DateTime,StaticCall,Price,Currency,PhoneNumber,TalkDuration,HoldDuration,CallMissed,Tag,FirstTimeCaller,URL,CallTrackerURL\n" +
                     $"crm-9,{at},0,250.00,RUB,+70123456789,95,12,0,\"клиента не устроила цена, перезвонить\",1,https://shop.example/landing?utm=1,https://tracker.example/call/9\n";
        await s.AcceptedAsync(Calls, csv);
        var call = Assert.Single((await s.GetAsync("/sandbox/counters/1/calls")).Body.GetProperty("calls").EnumerateArray());
        Assert.Equal("crm-9", call.Str("userId"));
        Assert.Equal(at, call.GetProperty("dateTime").GetInt64());
        Assert.False(call.GetProperty("staticCall").GetBoolean());
        Assert.Equal(250m, call.GetProperty("price").GetDecimal());
        Assert.Equal("+70123456789", call.Str("phoneNumber"));
        Assert.Equal(95, call.Int("talkDuration"));
        Assert.Equal(12, call.Int("holdDuration"));
        Assert.False(call.GetProperty("callMissed").GetBoolean());
        Assert.Equal("клиента не устроила цена, перезвонить", call.Str("tag"));
        Assert.True(call.GetProperty("firstTimeCaller").GetBoolean());
        Assert.Equal("https://shop.example/landing?utm=1", call.Str("url"));
        Assert.Equal("https://tracker.example/call/9", call.Str("callTrackerUrl"));
        Assert.Equal("UserNotFound", call.Str("outcome"));
    }

    [Fact]
    public async Task Static_calls_never_link_so_an_all_static_file_ends_in_linkage_failure()
    {
        await using var s = await SandboxClient.StartAsync();
        await s.AddVisitorsAsync($$"""[{"clientId":"1","visits":["{{VisitHoursAgo(5)}}"]}]""");
        var u = await s.AcceptedAsync(Calls, $"ClientId,DateTime,StaticCall\n1,{HoursAgo(2)},1\n1,{HoursAgo(1)},1\n");
        Assert.Equal(2, u.Int("static_calls_quantity"));
        Assert.Equal(0, u.Int("linked_quantity"));
        Assert.Equal("LINKAGE_FAILURE", u.Str("status"));
        var calls = (await s.GetAsync("/sandbox/counters/1/calls")).Body.GetProperty("calls");
        Assert.All(calls.EnumerateArray(), c => Assert.Equal("StaticCall", c.Str("outcome")));
    }

    [Fact]
    public async Task A_dynamic_call_links_to_the_visit_before_it()
    {
        await using var s = await SandboxClient.StartAsync();
        await s.AddVisitorsAsync($$"""[{"clientId":"1","visits":["{{VisitHoursAgo(5)}}"]},{"yclid":"777","visits":["{{VisitHoursAgo(1)}}"]}]""");
        var u = await s.AcceptedAsync(Calls, $"ClientId,Yclid,DateTime\n1,,{HoursAgo(2)}\n,777,{HoursAgo(2)}\n");
        Assert.Equal(1, u.Int("linked_quantity")); // the Yclid visitor's visit came after its call
        Assert.Equal("PROCESSED", u.Str("status"));
    }

    [Fact]
    public async Task Calls_upload_list_and_status_are_separate_from_conversions()
    {
        await using var s = await SandboxClient.StartAsync();
        long conversion = (await s.AcceptedAsync(Conversions, $"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n")).GetProperty("id").GetInt64();
        long call = (await s.AcceptedAsync(Calls, $"ClientId,DateTime\n1,{HoursAgo(1)}\n")).GetProperty("id").GetInt64();
        var list = (await s.GetAsync("/management/v1/counter/1/offline_conversions/calls_uploadings?limit=10&offset=0")).Body.GetProperty("uploadings");
        var only = Assert.Single(list.EnumerateArray());
        Assert.Equal(call, only.GetProperty("id").GetInt64());
        Assert.Equal(1, only.Int("dynamic_calls_quantity"));

        var one = await s.GetAsync($"/management/v1/counter/1/offline_conversions/calls_uploading/{call}");
        Assert.Equal(call, one.Body.GetProperty("uploading").GetProperty("id").GetInt64());
        SandboxClient.AssertError(await s.GetAsync($"/management/v1/counter/1/offline_conversions/calls_uploading/{conversion}"), 404, "not_found");
        SandboxClient.AssertError(await s.GetAsync($"/management/v1/counter/1/offline_conversions/uploading/{call}"), 404, "not_found");
    }

    [Fact]
    public async Task Call_comment_follows_the_same_rule()
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Calls + "&comment=" + Uri.EscapeDataString("calls #1"), SandboxClient.CsvFile($"ClientId,DateTime\n1,{HoursAgo(1)}\n"));
        SandboxClient.AssertError(r, 400, "invalid_parameter", "Комментарий содержит недопустимые символы.");
    }
}
