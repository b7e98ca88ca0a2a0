using System.Globalization;
using System.Text;
using static MetricaCrm.Sandbox.Tests.OfflineUploads;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>
/// The sandbox as strict as Metrica's documentation and no stricter than it: each rule broken (or kept) by a raw request.
/// Where the docs leave a case open the sandbox takes the stricter side, and the test says so.
/// </summary>
public sealed class DocumentedRules
{
    private const string Simple = "/cdp/api/v1/counter/5/data/simple_orders?merge_mode=SAVE";
    private const string Contacts = "/cdp/api/v1/counter/5/data/contacts";
    private const string Orders = "/cdp/api/v1/counter/5/data/orders";
    private static string Day(int daysAgo = 1) => DateTime.Now.AddDays(-daysAgo).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("O-1,K-1,,{0},PAID", "client_type")]
    [InlineData("O-1,K-1,CONTACT,,PAID", "create_date_time")]
    [InlineData("O-1,K-1,CONTACT,{0},", "order_status")]
    public async Task Detailed_orders_need_a_value_in_every_required_column(string row, string column)
    {
        // orders-data: id, client_uniq_id, client_type, create_date_time and order_status are required; an empty cell is none.
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Orders + "/csv?merge_mode=SAVE", SandboxClient.CsvFile(
            "id,client_uniq_id,client_type,create_date_time,order_status\n" + string.Format(row, Day()) + "\n")), 400, "invalid_uploading", "пустое значение в колонке " + column);
        SandboxClient.AssertError(await s.PostAsync(Orders + "/json?merge_mode=SAVE", SandboxClient.Json(
            $"{{\"orders\":[{{\"id\":\"O-1\",\"client_uniq_id\":\"K-1\",\"client_type\":\"CONTACT\",\"create_date_time\":\"{Day()}\",\"order_status\":\"PAID\",\"{column}\":\"\"}}]}}")),
            400, "invalid_uploading", "пустое значение в колонке " + column);
        Assert.Empty(s.State.Counter(5).Orders);
    }

    [Theory]
    [InlineData("\"bad goal!!:xx,,\"")]
    [InlineData("order_confirmed:")]
    [InlineData("\"order_confirmed:1,5\"")]
    [InlineData("no_such_goal")]
    [InlineData("\"order_confirmed,\"")]
    public async Task Simple_orders_goals_are_goal_ids_of_the_counter_with_an_optional_price(string goals)
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Simple, SandboxClient.CsvFile($"id,create_date_time,client_ids,goals\nA-1,{Day()},1,{goals}\n")),
            400, "invalid_uploading", "колонке goals");
        var ok = await s.PostAsync(Simple, SandboxClient.CsvFile($"id,create_date_time,client_ids,goals\nA-1,{Day()},1,\"order_confirmed:5.5,callback_request\"\n"));
        Assert.Equal(200, ok.Status);
        Assert.Equal(new[] { "order_confirmed:5.5", "callback_request" }, s.State.Counter(5).Orders["A-1"].Goals);
    }

    [Theory]
    [InlineData("XYZ")]
    [InlineData("rub")]
    [InlineData("RUR")]
    public async Task CDP_currencies_are_ISO_4217_codes_as_offline_ones_are(string currency)
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Simple, SandboxClient.CsvFile($"id,create_date_time,client_ids,currency\nA-1,{Day()},1,{currency}\n")),
            400, "invalid_uploading", "Неверный код валюты");
        SandboxClient.AssertError(await s.PostAsync(Orders + "/csv?merge_mode=SAVE", SandboxClient.CsvFile(
            $"id,client_uniq_id,client_type,create_date_time,order_status,currency\nO-1,K-1,CONTACT,{Day()},PAID,{currency}\n")), 400, "invalid_uploading", "Неверный код валюты");
        Assert.Equal(200, (await s.PostAsync(Simple, SandboxClient.CsvFile($"id,create_date_time,client_ids,currency\nA-1,{Day()},1,KZT\n"))).Status);
    }

    [Theory]
    [InlineData("a@")]
    [InlineData("@example.com")]
    [InlineData("a@example")]
    [InlineData("a@@example.com")]
    [InlineData("a@example..com")]
    [InlineData("a@.example.com")]
    [InlineData("a b@example.com")]
    [InlineData("Ivan@example.com")]
    [InlineData("иван@example.com")]
    [InlineData("a@пример.рф")]
    public async Task E_mails_are_Latin_lower_case_with_a_name_and_a_dotted_domain(string email)
    {
        // hashing.md, simple-orders-data: "a Latin string with '@' and a domain name; no capital letters".
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Simple, SandboxClient.CsvFile($"id,create_date_time,emails\nA-1,{Day()},\"{email}\"\n")), 400, "invalid_uploading", "emails");
        SandboxClient.AssertError(await s.PostAsync(Contacts + "/csv?merge_mode=SAVE", SandboxClient.CsvFile($"uniq_id,emails\nK-1,\"{email}\"\n")), 400, "invalid_uploading", "emails");
        Assert.Equal(200, (await s.PostAsync(Contacts + "/csv?merge_mode=SAVE", SandboxClient.CsvFile("uniq_id,emails\nK-1,\"a.b+c@xn--e1afmkfd.xn--p1ai,x@mail.example.com\"\n"))).Status);
    }

    [Theory]
    [InlineData("9223372036854775808")]
    [InlineData("18446744073709551615")]
    [InlineData("0")]
    public async Task ClientIDs_fit_int64_as_the_schema_types_them(string clientId)
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Simple, SandboxClient.CsvFile($"id,create_date_time,client_ids\nA-1,{Day()},{clientId}\n")), 400, "invalid_uploading", "client_ids");
        SandboxClient.AssertError(await s.PostAsync(Contacts + "/csv?merge_mode=SAVE", SandboxClient.CsvFile($"uniq_id,client_ids\nK-1,{clientId}\n")), 400, "invalid_uploading", "client_ids");
        SandboxClient.AssertError(await s.PostAsync(Contacts + "/json?merge_mode=SAVE", SandboxClient.Json($"{{\"contacts\":[{{\"uniq_id\":\"K-1\",\"client_ids\":[\"{clientId}\"]}}]}}")),
            400, "invalid_uploading", "client_ids");
        Assert.Equal(200, (await s.PostAsync(Simple, SandboxClient.CsvFile($"id,create_date_time,client_ids\nA-1,{Day()},9223372036854775807\n"))).Status);
    }

    [Fact]
    public async Task A_SIMPLE_ORDER_attribute_is_a_column_of_simple_orders()
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Simple, SandboxClient.CsvFile($"id,create_date_time,client_ids,branch\nA-1,{Day()},1,north\n")),
            400, "invalid_uploading", "неизвестная колонка 'branch'");
        Assert.Equal(200, (await s.PostAsync("/cdp/api/v1/counter/5/schema/attributes?entity_type=SIMPLE_ORDER",
            SandboxClient.Json("{\"attributes\":[{\"name\":\"branch\",\"type_name\":\"text\",\"multivalued\":false}]}"))).Status);
        Assert.Equal(200, (await s.PostAsync(Simple, SandboxClient.CsvFile($"id,create_date_time,client_ids,branch\nA-1,{Day()},1,north\nA-2,{Day()},2,\n"))).Status);
        Assert.Equal("north", s.State.Counter(5).Orders["A-1"].Attributes["branch"]);
        Assert.Empty(s.State.Counter(5).Orders["A-2"].Attributes);
        // UPDATE keeps a value whose column the file leaves out; an empty cell clears it [ours: unconfirmed]; SAVE replaces the order.
        Assert.Equal(200, (await s.PostAsync(Simple.Replace("SAVE", "UPDATE"), SandboxClient.CsvFile($"id,create_date_time,client_ids\nA-1,{Day()},1\n"))).Status);
        Assert.Equal("north", s.State.Counter(5).Orders["A-1"].Attributes["branch"]);
        Assert.Equal(200, (await s.PostAsync(Simple.Replace("SAVE", "UPDATE"), SandboxClient.CsvFile($"id,create_date_time,client_ids,branch\nA-1,{Day()},1,\n"))).Status);
        Assert.Empty(s.State.Counter(5).Orders["A-1"].Attributes);
        Assert.Equal(200, (await s.PostAsync(Simple.Replace("SAVE", "UPDATE"), SandboxClient.CsvFile($"id,create_date_time,client_ids,branch\nA-1,{Day()},1,north\n"))).Status);
        Assert.Equal(200, (await s.PostAsync(Simple, SandboxClient.CsvFile($"id,create_date_time,client_ids\nA-1,{Day()},1\n"))).Status);
        Assert.Empty(s.State.Counter(5).Orders["A-1"].Attributes);
        // A system column cannot be an attribute's name.
        SandboxClient.AssertError(await s.PostAsync("/cdp/api/v1/counter/5/schema/attributes?entity_type=SIMPLE_ORDER",
            SandboxClient.Json("{\"attributes\":[{\"name\":\"revenue\",\"type_name\":\"numeric\",\"multivalued\":false}]}")), 400, "invalid_parameter", "system attribute");
    }

    [Theory]
    [InlineData("merge_mode=save")]
    [InlineData("merge_mode=Save")]
    [InlineData("merge_mode=SAVE&delimiter_type=comma")]
    [InlineData("merge_mode=SAVE&delimiter_type=TAB")]
    public async Task Merge_mode_and_delimiter_type_take_the_documented_values_as_spelled(string query)
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync("/cdp/api/v1/counter/5/data/simple_orders?" + query, SandboxClient.CsvFile($"id,create_date_time,client_ids\nA-1,{Day()},1\n")),
            400, "invalid_parameter", query.Contains("delimiter") ? "delimiter_type" : "merge_mode");
        Assert.Equal(200, (await s.PostAsync("/cdp/api/v1/counter/5/data/simple_orders?merge_mode=APPEND&delimiter_type=SEMICOLON",
            SandboxClient.CsvFile($"id;create_date_time;client_ids\nA-1;{Day()};1\n"))).Status);
    }

    [Fact]
    public async Task Files_over_the_size_limit_are_refused_by_every_upload()
    {
        // "Ограничение на размер файла — 1 Гб" (uploadsimpleorders, upload_1, the FAQ for offline data); lowered here to 100 bytes.
        await using var s = await SandboxClient.StartAsync(new SandboxOptions { MaxFileBytes = 100 });
        string big = "ClientId,Target,DateTime\n" + string.Concat(Enumerable.Repeat($"1,order_confirmed,{HoursAgo(1)}\n", 5));
        Assert.True(Encoding.UTF8.GetByteCount(big) > 100);
        SandboxClient.AssertError(await s.PostAsync("/management/v1/counter/5/offline_conversions/upload", SandboxClient.CsvFile(big)), 400, "invalid_uploading", "1 ГБ");
        string bigCalls = "ClientId,DateTime\n" + string.Concat(Enumerable.Repeat($"1,{HoursAgo(1)}\n", 8));
        SandboxClient.AssertError(await s.PostAsync("/management/v1/counter/5/offline_conversions/upload_calls", SandboxClient.CsvFile(bigCalls)), 400, "invalid_uploading", "1 ГБ");
        string bigOrders = "id,create_date_time,client_ids\n" + string.Concat(Enumerable.Range(1, 5).Select(i => $"A-{i},{Day()},1\n"));
        SandboxClient.AssertError(await s.PostAsync(Simple, SandboxClient.CsvFile(bigOrders)), 400, "invalid_uploading", "1 ГБ");
        Assert.Equal(200, (await s.PostAsync("/management/v1/counter/5/offline_conversions/upload", SandboxClient.CsvFile($"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n"))).Status);
    }

    [Fact]
    public async Task Offline_headers_are_read_without_the_spaces_around_their_names()
    {
        await using var s = await SandboxClient.StartAsync();
        var u = await s.AcceptedAsync("/management/v1/counter/5/offline_conversions/upload", $"ClientId, Target, DateTime\n1,order_confirmed,{HoursAgo(1)}\n");
        Assert.Equal(1, u.Int("line_quantity"));
        SandboxClient.AssertError(await s.PostAsync("/management/v1/counter/5/offline_conversions/upload",
            SandboxClient.CsvFile($"ClientId,Target,Date Time\n1,order_confirmed,{HoursAgo(1)}\n")), 400, "invalid_uploading", "'Date Time'");
    }

    [Theory]
    [InlineData("Київ продажі", true)]
    [InlineData("Минск 2026", true)]
    [InlineData("Shop sales Ёлка", true)]
    [InlineData("shop-sales", false)]
    [InlineData("продажи!", false)]
    [InlineData("\u0482 знак", false)]
    [InlineData("a\u0483", false)]
    public async Task Comments_are_digits_Latin_and_Cyrillic_letters(string comment, bool accepted)
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync("/management/v1/counter/5/offline_conversions/upload?comment=" + Uri.EscapeDataString(comment),
            SandboxClient.CsvFile($"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n"));
        if (accepted) Assert.Equal(200, r.Status);
        else SandboxClient.AssertError(r, 400, "invalid_parameter", "Комментарий содержит недопустимые символы.");
    }

    [Theory]
    [InlineData("Europe/Moscow")]
    [InlineData("America/New_York")]
    [InlineData("Asia/Kolkata")]
    public async Task Time_zone_offset_is_the_zones_current_offset_in_minutes(string zone)
    {
        await using var s = await SandboxClient.StartAsync();
        s.State.Counter(5).TimeZoneName = zone;
        var c = (await s.GetAsync("/management/v1/counter/5")).Body.GetProperty("counter");
        Assert.Equal(zone, c.GetProperty("time_zone_name").GetString());
        Assert.Equal((int)TimeZoneInfo.FindSystemTimeZoneById(zone).GetUtcOffset(DateTimeOffset.UtcNow).TotalMinutes, c.GetProperty("time_zone_offset").GetInt32());
    }

    [Fact]
    public async Task Last_uploadings_reads_datetime_offset_in_the_counters_zone_and_compares_whole_seconds()
    {
        await using var s = await SandboxClient.StartAsync();
        Assert.Equal(200, (await s.PostAsync(Simple, SandboxClient.CsvFile($"id,create_date_time,client_ids\nA-1,{Day()},1\n"))).Status);
        var listed = (await s.GetAsync("/cdp/api/v1/counter/5/last_uploadings")).Body.GetProperty("uploadings")[0];
        var at = DateTimeOffset.Parse(listed.GetProperty("datetime").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(0, at.Millisecond);
        string Offset(DateTimeOffset t, string zone) => Uri.EscapeDataString(TimeZoneInfo.ConvertTime(t, TimeZoneInfo.FindSystemTimeZoneById(zone)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        int Count((int Status, System.Text.Json.JsonElement Body) r) => r.Body.GetProperty("uploadings").GetArrayLength();
        // The upload's own second is not strictly earlier than itself; one second later, in Moscow time, it is.
        Assert.Equal(0, Count(await s.GetAsync("/cdp/api/v1/counter/5/last_uploadings?datetime_offset=" + Offset(at, "Europe/Moscow"))));
        Assert.Equal(1, Count(await s.GetAsync("/cdp/api/v1/counter/5/last_uploadings?datetime_offset=" + Offset(at.AddSeconds(1), "Europe/Moscow"))));
        // The same instant written in UTC reads as three hours earlier in Moscow: a client paging with UTC text would skip it.
        Assert.Equal(0, Count(await s.GetAsync("/cdp/api/v1/counter/5/last_uploadings?datetime_offset=" + Offset(at.AddHours(2), "UTC"))));
        SandboxClient.AssertError(await s.GetAsync("/cdp/api/v1/counter/5/last_uploadings?datetime_offset=" + Uri.EscapeDataString(at.ToString("O"))), 400, "invalid_parameter", "datetime_offset");
    }

    [Fact]
    public async Task Products_need_the_attributes_list_and_may_leave_out_items()
    {
        await using var s = await SandboxClient.StartAsync();
        Assert.Equal(200, (await s.PostAsync("/cdp/api/v1/counter/5/schema/products", SandboxClient.Json("{\"attributes\":[]}"))).Status);
        SandboxClient.AssertError(await s.PostAsync("/cdp/api/v1/counter/5/schema/products", SandboxClient.Json("{\"items\":[{\"name\":\"pear\"}]}")),
            400, "missing_parameter", "attributes");
        SandboxClient.AssertError(await s.PostAsync("/cdp/api/v1/counter/5/schema/products",
            SandboxClient.Json("{\"attributes\":[{\"name\":\"colour\",\"type_name\":\"text\"}],\"items\":[]}")), 400, "missing_parameter", "multivalued");
        SandboxClient.AssertError(await s.PostAsync("/cdp/api/v1/counter/5/schema/products",
            SandboxClient.Json("{\"attributes\":[],\"items\":[{\"name\":\"pear\",\"humanized\":\"" + new string('х', 4097) + "\"}]}")), 400, "invalid_parameter", "4096");
    }

    [Theory]
    [InlineData("{\"name\":\"basket\",\"type_name\":\"product\",\"type_group\":\"SYSTEM_LIST\",\"multivalued\":true}", 200, null)]
    [InlineData("{\"name\":\"age\",\"type_name\":\"numeric\",\"type_group\":\"PREDEFINED\",\"multivalued\":false,\"type_humanized\":\"Число\"}", 200, null)]
    [InlineData("{\"name\":\"segment\",\"type_name\":\"segment\",\"type_group\":\"CUSTOM_LIST\",\"multivalued\":false}", 400, "type_group=CUSTOM_LIST")]
    [InlineData("{\"name\":\"basket\",\"type_name\":\"text\",\"type_group\":\"SYSTEM_LIST\",\"multivalued\":true}", 400, "type_group=SYSTEM_LIST")]
    [InlineData("{\"name\":\"размер\",\"type_name\":\"numeric\",\"multivalued\":false}", 400, "name=размер")]
    public async Task Attribute_type_groups(string attribute, int status, string? message)
    {
        // createattributes.md: PREDEFINED (numeric, date, datetime, email, text), SYSTEM_LIST (product) and CUSTOM_LIST ("a
        // custom type", with no type_name or values documented: refused as unconfirmed). ^[\w-:]+$ is read as Java reads \w.
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync("/cdp/api/v1/counter/5/schema/attributes?entity_type=ORDER", SandboxClient.Json("{\"attributes\":[" + attribute + "]}"));
        if (status == 200) Assert.Equal(200, r.Status);
        else SandboxClient.AssertError(r, 400, "invalid_parameter", message);
    }

    [Theory]
    [InlineData("age", "abc", false)]
    [InlineData("age", "\"1,5\"", false)]
    [InlineData("age", "-40.5", true)]
    [InlineData("dates_of_meetings", "\"21.04.2020,2020-04-22\"", true)]
    [InlineData("dates_of_meetings", "\"21.04.2020,someday\"", false)]
    [InlineData("first_seen", "\"21.04.2020,22.04.2020\"", false)]
    [InlineData("first_seen", "31.12.1969", false)]
    [InlineData("note", "anything, at all", true)]
    public async Task Attribute_values_keep_their_type(string attribute, string cell, bool accepted)
    {
        // createattributes.md's example attributes (age numeric, dates_of_meetings multivalued date, first_seen date) and a text one.
        await using var s = await SandboxClient.StartAsync();
        Assert.Equal(200, (await s.PostAsync("/cdp/api/v1/counter/5/schema/attributes?entity_type=CONTACT", SandboxClient.Json(
            "{\"attributes\":[{\"name\":\"dates_of_meetings\",\"type_name\":\"date\",\"multivalued\":true},{\"name\":\"age\",\"type_name\":\"numeric\",\"multivalued\":false}," +
            "{\"name\":\"first_seen\",\"type_name\":\"date\",\"multivalued\":false},{\"name\":\"note\",\"type_name\":\"text\",\"multivalued\":false}]}"))).Status);
        var r = await s.PostAsync(Contacts + "/csv?merge_mode=SAVE", SandboxClient.CsvFile($"uniq_id,{attribute}\nK-1,{(cell.Contains(' ') && !cell.StartsWith('"') ? "\"" + cell + "\"" : cell)}\n"));
        if (accepted) Assert.Equal(200, r.Status);
        else SandboxClient.AssertError(r, 400, "invalid_uploading", "колонке " + attribute);
    }
}
