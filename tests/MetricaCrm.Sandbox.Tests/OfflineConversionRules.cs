using System.Text;
using static MetricaCrm.Sandbox.Tests.OfflineUploads;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>The offline conversions upload refuses what Metrica refuses, in Metrica's error bodies and Russian wording.</summary>
public sealed class OfflineConversionRules
{
    [Fact]
    public async Task Accepted_upload_answers_the_documented_uploading_object()
    {
        await using var s = await SandboxClient.StartAsync();
        var u = await s.AcceptedAsync(Conversions + "?comment=shop%20sales", $"ClientId,Target,DateTime,Price,Currency\n133591247640966458,order_confirmed,{HoursAgo(5)},123.45,RUB\n");
        Assert.True(u.GetProperty("id").GetInt64() > 0);
        Assert.True(DateTimeOffset.TryParse(u.Str("create_time"), out _));
        Assert.Equal(1, u.Int("source_quantity"));
        Assert.Equal(1, u.Int("line_quantity"));
        Assert.Equal("shop sales", u.Str("comment"));
        Assert.Equal("BASIC", u.Str("type"));
        Assert.Equal("CLIENT_ID", u.Str("client_id_type"));
        Assert.Equal("LINKAGE_FAILURE", u.Str("status")); // no visitor is known yet
        Assert.Equal(0, u.Int("goal_not_found_quantity"));
        Assert.Equal(1, u.Int("user_not_found_quantity"));
        Assert.Equal(0, u.Int("linked_quantity"));
        Assert.False(u.TryGetProperty("static_calls_quantity", out _));
    }

    [Fact]
    public async Task A_body_that_is_not_multipart_is_refused()
    {
        await using var s = await SandboxClient.StartAsync();
        var csv = new StringContent($"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n", Encoding.UTF8, "text/csv");
        SandboxClient.AssertError(await s.PostAsync(Conversions, csv), 400, "invalid_uploading", "Некорректный формат multipart запроса.");
    }

    [Fact]
    public async Task A_part_not_named_file_is_refused()
    {
        await using var s = await SandboxClient.StartAsync();
        var form = SandboxClient.CsvFile($"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n", partName: "conversions.csv");
        SandboxClient.AssertError(await s.PostAsync(Conversions, form), 400, "invalid_uploading", "Не найден параметр запроса.");
    }

    [Theory]
    [InlineData("")]
    [InlineData("\r\n\r\n")]
    [InlineData("ClientId,Target,DateTime\n")]
    public async Task An_empty_file_or_a_header_without_rows_is_refused(string csv)
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Conversions, SandboxClient.CsvFile(csv)), 400, "invalid_uploading", "The file is empty");
    }

    [Fact]
    public async Task A_file_that_is_not_utf8_is_refused()
    {
        await using var s = await SandboxClient.StartAsync();
        // "ClientId,Target,DateTime" then a Windows-1251 "заказ" as the goal: bytes that are no valid UTF-8.
        var bytes = Encoding.ASCII.GetBytes($"ClientId,Target,DateTime\n1,").Concat(new byte[] { 0xE7, 0xE0, 0xEA, 0xE0, 0xE7 })
            .Concat(Encoding.ASCII.GetBytes($",{HoursAgo(1)}\n")).ToArray();
        SandboxClient.AssertError(await s.PostAsync(Conversions, RawFile(bytes)), 400, "invalid_uploading", "UTF-8");
    }

    [Fact]
    public async Task A_utf8_bom_is_refused()
    {
        await using var s = await SandboxClient.StartAsync();
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes($"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n")).ToArray();
        SandboxClient.AssertError(await s.PostAsync(Conversions, RawFile(bytes)), 400, "invalid_uploading", "без BOM");
    }

    [Fact]
    public async Task A_file_without_a_header_row_is_refused()
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Conversions, SandboxClient.CsvFile($"133591247640966458,order_confirmed,{HoursAgo(1)}\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", "ошибка в строке номер 1: неизвестная колонка '133591247640966458'");
    }

    [Theory]
    [InlineData("Email,Target,DateTime", "ошибка в строке номер 1: неизвестная колонка 'Email'")]
    [InlineData("Target,DateTime,Price", "Отсутствует обязательная колонка: нужна хотя бы одна из ClientId, UserId, Yclid, PurchaseId")]
    [InlineData("ClientId,DateTime", "Отсутствует обязательная колонка Target")]
    [InlineData("ClientId,Target", "Отсутствует обязательная колонка DateTime")]
    [InlineData("ClientId,Target,DateTime,PhoneNumber", "неизвестная колонка 'PhoneNumber'")]
    [InlineData("ClientId,ClientID,Target,DateTime", "колонка ClientId указана дважды")]
    public async Task Header_must_name_the_documented_columns(string header, string message)
    {
        await using var s = await SandboxClient.StartAsync();
        int columns = header.Split(',').Length;
        var r = await s.PostAsync(Conversions, SandboxClient.CsvFile(header + "\n" + string.Join(",", Enumerable.Repeat("1", columns)) + "\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", message);
    }

    [Theory]
    [InlineData("ClientID,Target,DateTime", "133591247640966458", "CLIENT_ID")]
    [InlineData("clientid,TARGET,datetime", "133591247640966458", "CLIENT_ID")]
    [InlineData("yclid,Target,DateTime", "6350236490143727615", "YCLID")]
    [InlineData("Yclid,Target,DateTime", "6350236490143727615", "YCLID")]
    [InlineData("UserId,Target,DateTime", "crm-42", "USER_ID")]
    [InlineData("PurchaseId,Target,DateTime", "order-42", null)]
    public async Task Identifier_headers_match_ignoring_case(string header, string identifier, string? clientIdType)
    {
        await using var s = await SandboxClient.StartAsync();
        var u = await s.AcceptedAsync(Conversions, $"{header}\n{identifier},order_confirmed,{HoursAgo(2)}\n");
        Assert.Equal(1, u.Int("line_quantity"));
        Assert.Equal(clientIdType, u.Str("client_id_type"));
    }

    [Theory]
    [InlineData("2026-01-01 10:00:00")]
    [InlineData("1700000000.5")]
    [InlineData("-1700000000")]
    [InlineData("")]
    [InlineData("abc")]
    public async Task DateTime_must_be_unix_seconds_and_the_error_names_the_line(string value)
    {
        await using var s = await SandboxClient.StartAsync();
        var csv = $"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(3)}\n2,order_confirmed,\"{value}\"\n";
        var r = await s.PostAsync(Conversions, SandboxClient.CsvFile(csv));
        SandboxClient.AssertError(r, 400, "invalid_uploading", $"Неверный формат данных, ошибка в строке номер 3: Некорректное значение '{value}' в колонке DateTime");
    }

    [Fact]
    public async Task DateTime_in_the_future_is_refused_beyond_a_few_seconds_of_skew()
    {
        await using var s = await SandboxClient.StartAsync();
        long inAMinute = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds();
        var r = await s.PostAsync(Conversions, SandboxClient.CsvFile($"ClientId,Target,DateTime\n1,order_confirmed,{inAMinute}\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", "ошибка в строке номер 2: Некорректное значение");
        Assert.Contains("время ещё не наступило", r.Body.Str("message"));

        long milliseconds = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
        r = await s.PostAsync(Conversions, SandboxClient.CsvFile($"ClientId,Target,DateTime\n1,order_confirmed,{milliseconds}\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", "не в миллисекундах");

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await s.AcceptedAsync(Conversions, $"ClientId,Target,DateTime\n1,order_confirmed,{now + 2}\n");
    }

    [Theory]
    [InlineData("123,45")]
    [InlineData("-10")]
    [InlineData("1 000")]
    [InlineData("12.")]
    public async Task Price_is_a_number_with_a_dot(string price)
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Conversions, SandboxClient.CsvFile($"ClientId,Target,DateTime,Price\n1,order_confirmed,{HoursAgo(1)},\"{price}\"\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", $"ошибка в строке номер 2: Некорректное значение '{price}' в колонке Price");
    }

    [Theory]
    [InlineData("rub")]
    [InlineData("RUR")]
    [InlineData("РУБ")]
    [InlineData("US")]
    public async Task Currency_is_an_iso_4217_code(string currency)
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Conversions, SandboxClient.CsvFile($"ClientId,Target,DateTime,Price,Currency\n1,order_confirmed,{HoursAgo(1)},10.5,{currency}\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", "Неверный код валюты");
    }

    [Fact]
    public async Task Price_and_currency_are_stored_as_sent()
    {
        await using var s = await SandboxClient.StartAsync();
        await s.AcceptedAsync(Conversions, $"ClientId,Target,DateTime,Price,Currency\n1,order_confirmed,{HoursAgo(1)},1500.50,EUR\n");
        var stored = (await s.GetAsync("/sandbox/counters/1/conversions")).Body.GetProperty("conversions")[0];
        Assert.Equal(1500.50m, stored.GetProperty("price").GetDecimal());
        Assert.Equal("EUR", stored.Str("currency"));
    }

    [Fact]
    public async Task Each_row_keeps_its_own_goal_currency_and_price_when_they_change_between_rows()
    {
        await using var s = await SandboxClient.StartAsync();
        long at = HoursAgo(1);
        await s.AcceptedAsync(Conversions, "ClientId,Target,DateTime,Price,Currency\n" +
            $"1,order_confirmed,{at},10,RUB\n2,\"say \"\"hi\"\", цель\",{at},0.5,EUR\n3,order_confirmed,{at},,\n" +
            $"12345678901234567890,order_confirmed,{at},007.250,RUB\n");
        var stored = (await s.GetAsync("/sandbox/counters/1/conversions")).Body.GetProperty("conversions").EnumerateArray()
            .ToDictionary(c => c.Str("clientId")!);
        Assert.Equal(4, stored.Count);
        Assert.Equal(("order_confirmed", 10m, "RUB"), (stored["1"].Str("target"), stored["1"].GetProperty("price").GetDecimal(), stored["1"].Str("currency")));
        Assert.Equal(("say \"hi\", цель", 0.5m, "EUR"), (stored["2"].Str("target"), stored["2"].GetProperty("price").GetDecimal(), stored["2"].Str("currency")));
        Assert.False(stored["3"].TryGetProperty("price", out _));
        Assert.False(stored["3"].TryGetProperty("currency", out _));
        Assert.Equal("7.250", stored["12345678901234567890"].GetProperty("price").GetRawText());
        Assert.Equal(at, stored["1"].GetProperty("dateTime").GetInt64());
    }

    [Fact]
    public async Task A_row_with_the_same_identifiers_goal_and_time_overwrites_the_stored_one_in_its_place()
    {
        await using var s = await SandboxClient.StartAsync();
        long at = HoursAgo(1);
        await s.AcceptedAsync(Conversions, $"ClientId,Target,DateTime,Price\n1,order_confirmed,{at},10\n2,order_confirmed,{at},20\n");
        await s.AcceptedAsync(Conversions, $"ClientId,Target,DateTime,Price\n1,order_confirmed,{at},11\n1,callback_request,{at},12\n1,order_confirmed,{at + 1},13\n");
        var stored = (await s.GetAsync("/sandbox/counters/1/conversions")).Body.GetProperty("conversions").EnumerateArray()
            .Select(c => (c.Str("clientId"), c.Str("target"), c.GetProperty("dateTime").GetInt64() - at, c.GetProperty("price").GetDecimal(), c.GetProperty("uploadId").GetInt64()))
            .ToArray();
        Assert.Equal(new[] { ("1", "order_confirmed", 0L, 11m, 2L), ("2", "order_confirmed", 0L, 20m, 1L), ("1", "callback_request", 0L, 12m, 2L), ("1", "order_confirmed", 1L, 13m, 2L) }, stored);
    }

    [Fact]
    public async Task A_client_id_of_more_than_20_digits_is_refused()
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Conversions, SandboxClient.CsvFile($"ClientId,Target,DateTime\n123456789012345678901,order_confirmed,{HoursAgo(1)}\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", "Некорректное значение '123456789012345678901' в колонке ClientId");
    }

    [Theory]
    [InlineData("ClientId", "1335-9124")]
    [InlineData("Yclid", "click42")]
    public async Task Numeric_identifiers_must_be_digits(string column, string value)
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Conversions, SandboxClient.CsvFile($"{column},Target,DateTime\n{value},order_confirmed,{HoursAgo(1)}\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", $"Некорректное значение '{value}' в колонке {column}");
    }

    [Fact]
    public async Task An_empty_target_is_refused()
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Conversions, SandboxClient.CsvFile($"ClientId,Target,DateTime\n1,,{HoursAgo(1)}\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", "ошибка в строке номер 2: Некорректное значение '' в колонке Target");
    }

    [Fact]
    public async Task A_row_with_a_wrong_number_of_fields_is_refused_with_its_line()
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Conversions, SandboxClient.CsvFile($"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n2,order_confirmed\n"));
        SandboxClient.AssertError(r, 400, "invalid_uploading", "Неверный формат данных, ошибка в строке номер 3");
    }

    [Theory]
    [InlineData("sales!")]
    [InlineData("crm_upload")]
    [InlineData("sales-2024")]
    public async Task Comment_allows_only_digits_letters_and_spaces(string comment)
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Conversions + "?comment=" + Uri.EscapeDataString(comment), SandboxClient.CsvFile($"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n"));
        SandboxClient.AssertError(r, 400, "invalid_parameter", "Комментарий содержит недопустимые символы.");
    }

    [Fact]
    public async Task Comment_is_at_most_255_characters_and_may_be_cyrillic()
    {
        await using var s = await SandboxClient.StartAsync();
        string csv = $"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n";
        var r = await s.PostAsync(Conversions + "?comment=" + new string('a', 256), SandboxClient.CsvFile(csv));
        SandboxClient.AssertError(r, 400, "invalid_parameter", "255");
        var u = await s.AcceptedAsync(Conversions + "?comment=" + new string('a', 255), csv);
        Assert.Equal(255, u.Str("comment")!.Length);
        u = await s.AcceptedAsync(Conversions + "?comment=" + Uri.EscapeDataString("Продажи Ёлка 2024"), csv);
        Assert.Equal("Продажи Ёлка 2024", u.Str("comment"));
    }

    [Fact]
    public async Task Type_is_basic_calls_or_chats()
    {
        await using var s = await SandboxClient.StartAsync();
        string csv = $"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n";
        SandboxClient.AssertError(await s.PostAsync(Conversions + "?type=basic", SandboxClient.CsvFile(csv)), 400, "invalid_parameter", "type=basic");
        Assert.Equal("CHATS", (await s.AcceptedAsync(Conversions + "?type=CHATS", csv)).Str("type"));
    }

    [Fact]
    public async Task Legacy_client_id_type_is_echoed_and_its_column_required()
    {
        await using var s = await SandboxClient.StartAsync();
        string csv = $"ClientId,UserId,Target,DateTime\n1,crm-1,order_confirmed,{HoursAgo(1)}\n";
        Assert.Equal("USER_ID", (await s.AcceptedAsync(Conversions + "?client_id_type=USER_ID", csv)).Str("client_id_type"));
        var r = await s.PostAsync(Conversions + "?client_id_type=YCLID", SandboxClient.CsvFile(csv));
        SandboxClient.AssertError(r, 400, "invalid_uploading", "Отсутствует обязательная колонка Yclid");
        r = await s.PostAsync(Conversions + "?client_id_type=EMAIL", SandboxClient.CsvFile(csv));
        SandboxClient.AssertError(r, 400, "invalid_parameter", "client_id_type=EMAIL");
    }

    [Fact]
    public async Task A_target_that_is_no_goal_of_the_counter_is_counted_not_refused()
    {
        await using var s = await SandboxClient.StartAsync();
        // A goal's name instead of its JS-event identifier: the most common mistake.
        string csv = $"ClientId,Target,DateTime\n1,Заказ подтверждён,{HoursAgo(1)}\n2,order_confirmed,{HoursAgo(1)}\n3,offline_sale,{HoursAgo(1)}\n";
        var u = await s.AcceptedAsync(Conversions, csv);
        Assert.Equal(3, u.Int("line_quantity"));
        Assert.Equal(2, u.Int("goal_not_found_quantity"));
        Assert.Equal(1, u.Int("user_not_found_quantity"));

        Assert.Equal(200, (await s.PostAsync("/sandbox/counters/1/goals/offline_sale", new StringContent(""))).Status);
        u = await s.AcceptedAsync(Conversions, csv);
        Assert.Equal(1, u.Int("goal_not_found_quantity"));
        Assert.Equal(2, u.Int("user_not_found_quantity"));
    }

    [Fact]
    public async Task A_row_without_any_identifier_value_does_not_pass_validation()
    {
        await using var s = await SandboxClient.StartAsync();
        var u = await s.AcceptedAsync(Conversions, $"ClientId,UserId,Target,DateTime\n1,,order_confirmed,{HoursAgo(1)}\n,,order_confirmed,{HoursAgo(1)}\n,crm-7,order_confirmed,{HoursAgo(1)}\n");
        Assert.Equal(3, u.Int("source_quantity"));
        Assert.Equal(2, u.Int("line_quantity"));
        Assert.Equal(2, (await s.GetAsync("/sandbox/counters/1/conversions")).Body.GetProperty("conversions").GetArrayLength());
    }

    [Fact]
    public async Task Unknown_or_malformed_upload_ids_are_refused()
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.GetAsync("/management/v1/counter/1/offline_conversions/uploading/999"), 404, "not_found");
        SandboxClient.AssertError(await s.GetAsync("/management/v1/counter/1/offline_conversions/uploading/abc"), 400, "invalid_parameter");
        var u = await s.AcceptedAsync(Conversions, $"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n");
        long id = u.GetProperty("id").GetInt64();
        var one = await s.GetAsync($"/management/v1/counter/1/offline_conversions/uploading/{id}");
        Assert.Equal(200, one.Status);
        Assert.Equal(id, one.Body.GetProperty("uploading").GetProperty("id").GetInt64());
        SandboxClient.AssertError(await s.GetAsync($"/management/v1/counter/2/offline_conversions/uploading/{id}"), 404, "not_found");
    }

    [Fact]
    public async Task Upload_list_pages_oldest_first_and_filters_by_type()
    {
        await using var s = await SandboxClient.StartAsync();
        string csv = $"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n";
        var ids = new List<long>();
        foreach (var type in new[] { "BASIC", "CHATS", "BASIC" })
            ids.Add((await s.AcceptedAsync(Conversions + "?type=" + type, csv)).GetProperty("id").GetInt64());

        var all = (await s.GetAsync("/management/v1/counter/1/offline_conversions/uploadings")).Body.GetProperty("uploadings");
        Assert.Equal(ids, all.EnumerateArray().Select(u => u.GetProperty("id").GetInt64()));
        var page = (await s.GetAsync("/management/v1/counter/1/offline_conversions/uploadings?limit=1&offset=1")).Body.GetProperty("uploadings");
        Assert.Equal(ids[1], Assert.Single(page.EnumerateArray()).GetProperty("id").GetInt64());
        var basic = (await s.GetAsync("/management/v1/counter/1/offline_conversions/uploadings?type=BASIC")).Body.GetProperty("uploadings");
        Assert.Equal(new[] { ids[0], ids[2] }, basic.EnumerateArray().Select(u => u.GetProperty("id").GetInt64()));

        SandboxClient.AssertError(await s.GetAsync("/management/v1/counter/1/offline_conversions/uploadings?limit=0"), 400, "invalid_parameter", "limit");
        SandboxClient.AssertError(await s.GetAsync("/management/v1/counter/1/offline_conversions/uploadings?offset=-1"), 400, "invalid_parameter", "offset");
        SandboxClient.AssertError(await s.GetAsync("/management/v1/counter/1/offline_conversions/uploadings?type=OTHER"), 400, "invalid_parameter", "type");
    }

    [Fact]
    public async Task Offline_endpoints_require_the_token()
    {
        await using var s = await SandboxClient.StartAsync();
        s.Http.DefaultRequestHeaders.Remove("Authorization");
        var r = await s.PostAsync(Conversions, SandboxClient.CsvFile($"ClientId,Target,DateTime\n1,order_confirmed,{HoursAgo(1)}\n"));
        SandboxClient.AssertError(r, 401, "unauthorized", "Неавторизованный пользователь");
    }
}
