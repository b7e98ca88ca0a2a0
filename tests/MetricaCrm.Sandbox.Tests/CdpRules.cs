using System.Net.Http.Json;
using MetricaCrm.Sandbox.Cdp;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>The detailed CRM endpoints: each rule broken by a raw request, answered with Metrica's error body.</summary>
public sealed class CdpRules
{
    private const string Contacts = "/cdp/api/v1/counter/5/data/contacts";
    private const string Orders = "/cdp/api/v1/counter/5/data/orders";
    private static string Now(int daysAgo = 1) => DateTime.Now.AddDays(-daysAgo).ToString("yyyy-MM-dd HH:mm:ss");

    /// <summary>Orders link only when their contact is known: K-1 and K-2 are uploaded first.</summary>
    private static async Task UploadContactsAsync(SandboxClient s) =>
        Assert.Equal(200, (await s.PostAsync(Contacts + "/csv?merge_mode=SAVE", SandboxClient.CsvFile("uniq_id,name\nK-1,Иван\nK-2,Анна\n"))).Status);

    private static async Task<SandboxClient> WithSchemaAsync(int? seed = null)
    {
        var s = await SandboxClient.StartAsync(new SandboxOptions { Seed = seed });
        var created = await s.PostAsync("/cdp/api/v1/counter/5/schema/attributes?entity_type=CONTACT",
            SandboxClient.Json("{\"attributes\":[{\"name\":\"shoe_size\",\"type_name\":\"numeric\",\"multivalued\":false,\"humanized\":\"Shoe size\"}]}"));
        Assert.Equal(200, created.Status);
        await s.PostAsync("/cdp/api/v1/counter/5/schema/attributes?entity_type=ORDER",
            SandboxClient.Json("{\"attributes\":[{\"name\":\"branch\",\"type_name\":\"text\",\"multivalued\":false}]}"));
        return s;
    }

    [Fact]
    public async Task Contacts_csv_and_json_are_stored_and_listed_with_entity_and_format()
    {
        await using var s = await WithSchemaAsync();
        var csv = await s.PostAsync(Contacts + "/csv?merge_mode=SAVE",
            SandboxClient.CsvFile($"uniq_id,name,phones,shoe_size\nK-1,Иван,\"79995551111,79995552222\",42\n"));
        Assert.Equal(200, csv.Status);
        Assert.Equal("SYSTEM", csv.Body.GetProperty("uploading").GetProperty("entity_type").GetString()); // uploadsimpleorders.md: contacts and orders are SYSTEM
        Assert.Equal("CONTACT", s.State.Counter(5).Uploads[0].EntityType);
        var json = await s.PostAsync(Contacts + "/json?merge_mode=UPDATE",
            SandboxClient.Json("{\"contacts\":[{\"uniq_id\":\"K-2\",\"client_ids\":[133591247640966458],\"attribute_values\":[[\"shoe_size\",\"38\"]]}]}"));
        Assert.Equal("JSON", json.Body.GetProperty("uploading").GetProperty("uploading_format").GetString());
        var stored = (await s.Http.GetFromJsonAsync<List<StoredContact>>("/sandbox/counters/5/contacts"))!;
        Assert.Equal("79995551111,79995552222", stored[0].Fields["phones"]);
        Assert.Equal("42", stored[0].Attributes["shoe_size"]);
        Assert.Equal("133591247640966458", stored[1].Fields["client_ids"]);
        var listed = await s.GetAsync("/cdp/api/v1/counter/5/last_uploadings");
        Assert.Equal(new[] { "JSON", "CSV" }, listed.Body.GetProperty("uploadings").EnumerateArray().Select(u => u.GetProperty("uploading_format").GetString()));
    }

    [Theory]
    [InlineData("UPDATE")]
    [InlineData("APPEND")]
    public async Task Under_update_a_left_out_column_keeps_the_value_and_an_empty_cell_or_null_clears_it(string mode)
    {
        // modes.md keeps only a field the upload leaves out; an empty cell is unconfirmed, so the sandbox clears [ours].
        await using var s = await WithSchemaAsync();
        Assert.Equal(200, (await s.PostAsync(Contacts + "/csv?merge_mode=SAVE", SandboxClient.CsvFile(
            "uniq_id,name,phones,shoe_size\nK-1,Иван,79995551111,42\nK-2,Анна,79995552222,38\nK-3,Олег,79995553333,40\n"))).Status);
        Assert.Equal(200, (await s.PostAsync(Contacts + $"/csv?merge_mode={mode}", SandboxClient.CsvFile("uniq_id,phones\nK-1,79990000001\n"))).Status);
        Assert.Equal(200, (await s.PostAsync(Contacts + $"/csv?merge_mode={mode}", SandboxClient.CsvFile("uniq_id,name,phones,shoe_size\nK-2,,,\n"))).Status);
        Assert.Equal(200, (await s.PostAsync(Contacts + $"/json?merge_mode={mode}", SandboxClient.Json("{\"contacts\":[{\"uniq_id\":\"K-3\",\"name\":null,\"phones\":\"\"}]}"))).Status);
        var stored = s.State.Counter(5).Cdp.Contacts;
        Assert.Equal(("Иван", "42"), (stored["K-1"].Fields["name"], stored["K-1"].Attributes["shoe_size"]));
        Assert.Equal(mode == "APPEND" ? "79995551111,79990000001" : "79990000001", stored["K-1"].Fields["phones"]);
        Assert.False(stored["K-2"].Fields.ContainsKey("name") || stored["K-2"].Fields.ContainsKey("phones") || stored["K-2"].Attributes.ContainsKey("shoe_size"),
            "an empty cell cleared nothing: " + string.Join(",", stored["K-2"].Fields.Keys));
        Assert.False(stored["K-3"].Fields.ContainsKey("name") || stored["K-3"].Fields.ContainsKey("phones"));
        Assert.Equal("40", stored["K-3"].Attributes["shoe_size"]);

        // Detailed orders the same way: revenue left out is kept, an empty revenue or goals cell clears it.
        await UploadContactsAsync(s);
        const string header = "id,client_uniq_id,client_type,create_date_time,order_status";
        Assert.Equal(200, (await s.PostAsync(Orders + "/csv?merge_mode=SAVE", SandboxClient.CsvFile($"{header},revenue,branch\nO-1,K-1,CONTACT,{Now()},PAID,100,north\nO-2,K-1,CONTACT,{Now()},PAID,200,south\n"))).Status);
        Assert.Equal(200, (await s.PostAsync(Orders + $"/csv?merge_mode={mode}", SandboxClient.CsvFile($"{header}\nO-1,K-1,CONTACT,{Now()},PAID\n"))).Status);
        Assert.Equal(200, (await s.PostAsync(Orders + $"/csv?merge_mode={mode}", SandboxClient.CsvFile($"{header},revenue,branch\nO-2,K-1,CONTACT,{Now()},PAID,,\n"))).Status);
        var orders = s.State.Counter(5).Orders;
        Assert.Equal((100m, "north"), (orders["O-1"].Revenue, orders["O-1"].Attributes["branch"]));
        Assert.Null(orders["O-2"].Revenue);
        Assert.Empty(orders["O-2"].Attributes);
    }

    [Theory]
    [InlineData("name,phones\nИван,79995551111\n", "Отсутствует обязательная колонка uniq_id")]
    [InlineData("uniq_id,shoe\nK-1,42\n", "неизвестная колонка 'shoe'")]
    [InlineData("uniq_id,birth_date\nK-1,1965-01-01\n", "до 1970")]
    [InlineData("uniq_id,emails\nK-1,Ivan@Mail.ru\n", "emails")]
    [InlineData("uniq_id,phones\nK-1,+7999\n", "phones")]
    [InlineData("uniq_id,create_date_time\nK-1,2026-13-01 10:00:00\n", "create_date_time")]
    [InlineData("uniq_id,name\n,Иван\n", "uniq_id")]
    public async Task Contact_csv_rules(string csv, string message)
    {
        await using var s = await WithSchemaAsync();
        SandboxClient.AssertError(await s.PostAsync(Contacts + "/csv?merge_mode=SAVE", SandboxClient.CsvFile(csv)), 400, csv.StartsWith("name") ? "invalid_uploading" : "invalid_uploading", message);
    }

    [Theory]
    [InlineData("{\"contacts\":[{\"uniq_id\":\"K-1\",\"client_ids\":[\"13359124764096645x\"]}]}", "invalid_uploading", "client_ids")]
    [InlineData("{\"contacts\":[{\"uniq_id\":\"K-1\",\"client_ids\":[9223372036854775808]}]}", "invalid_uploading", "client_ids")]
    [InlineData("{\"contacts\":[{\"uniq_id\":\"K-1\",\"client_ids\":[true]}]}", "invalid_uploading", "client_ids")]
    [InlineData("{\"contacts\":[{\"name\":\"Иван\"}]}", "invalid_uploading", "uniq_id")]
    [InlineData("{\"contacts\":[{\"uniq_id\":\"K-1\",\"create_date_time\":\"2026-11-01T10:00:00Z\"}]}", "invalid_uploading", "create_date_time")]
    [InlineData("{\"contacts\":[{\"uniq_id\":\"K-1\",\"attribute_values\":[[\"segment\",\"vip\"]]}]}", "invalid_uploading", "нет атрибута 'segment'")]
    [InlineData("{\"contacts\":[{\"uniq_id\":\"K-1\"]}", "invalid_json", "Malformed JSON")]
    [InlineData("{\"clients\":[]}", "missing_parameter", "contacts is required")]
    public async Task Contact_json_rules(string body, string type, string message)
    {
        await using var s = await WithSchemaAsync();
        SandboxClient.AssertError(await s.PostAsync(Contacts + "/json?merge_mode=SAVE", SandboxClient.Json(body)), 400, type, message);
    }

    [Theory]
    [InlineData("id,client_uniq_id,create_date_time,order_status\nO-1,K-1,{0},PAID\n", "Отсутствует обязательная колонка client_type")]
    [InlineData("id,client_uniq_id,client_type,create_date_time,order_status\nO-1,K-1,COMPANY,{0},PAID\n", "CONTACT")]
    [InlineData("id,client_uniq_id,client_type,create_date_time,order_status\nO-1,K-1,CONTACT,{0},delivery\n", "нет такого статуса")]
    [InlineData("id,client_uniq_id,client_type,create_date_time,order_status,products\nO-1,K-1,CONTACT,{0},PAID,\"pear:0\"\n", "товар:количество")]
    [InlineData("id,client_uniq_id,client_type,create_date_time,order_status,goals\nO-1,K-1,CONTACT,{0},PAID,\"no_such_goal:5\"\n", "JS-цели")]
    [InlineData("id,client_uniq_id,client_type,create_date_time,order_status,revenue\nO-1,K-1,CONTACT,{0},PAID,\"1,5\"\n", "revenue")]
    [InlineData("id,client_uniq_id,client_type,create_date_time,order_status,currency\nO-1,K-1,CONTACT,{0},PAID,rub\n", "Неверный код валюты")]
    public async Task Order_csv_rules(string csv, string message)
    {
        await using var s = await WithSchemaAsync();
        SandboxClient.AssertError(await s.PostAsync(Orders + "/csv?merge_mode=SAVE", SandboxClient.CsvFile(string.Format(csv, Now()))), 400, "invalid_uploading", message);
    }

    [Fact]
    public async Task Orders_take_schema_statuses_products_goals_attributes_and_merge_by_mode()
    {
        await using var s = await WithSchemaAsync();
        await UploadContactsAsync(s);
        s.State.Counter(5).Statuses["delivery"] = new StoredStatus { Id = "delivery", Type = "IN_PROGRESS" };
        string created = Now(2); // once: computed again it can cross into the next second
        var first = await s.PostAsync(Orders + "/json?merge_mode=SAVE", SandboxClient.Json(
            "{\"orders\":[{\"id\":\"O-1\",\"client_uniq_id\":\"K-1\",\"client_type\":\"CONTACT\",\"create_date_time\":\"" + created + "\"," +
            "\"order_status\":\"delivery\",\"revenue\":100.5,\"products\":{\"pear\":2},\"goals\":[{\"goal_action_id\":\"order_confirmed\",\"price\":5}]," +
            "\"attribute_values\":[[\"branch\",\"north\"]]}]}"));
        Assert.Equal(200, first.Status);
        var o = s.State.Counter(5).Orders["O-1"];
        Assert.Equal(("detailed", "delivery", 100.5m, 2L, "north", true), (o.Kind, o.OrderStatus, o.Revenue, o.Products["pear"], o.Attributes["branch"], o.Linked));
        Assert.Equal(new[] { "order_confirmed:5" }, o.Goals);

        // APPEND adds list values; the creation date never changes; UPDATE leaves fields not sent alone.
        await s.PostAsync(Orders + "/csv?merge_mode=APPEND", SandboxClient.CsvFile(
            $"id,client_uniq_id,client_type,create_date_time,order_status,products\nO-1,K-1,CONTACT,{Now(1)},PAID,\"apple:1\"\n"));
        o = s.State.Counter(5).Orders["O-1"];
        Assert.Equal(new[] { "apple", "pear" }, o.Products.Keys.Order());
        Assert.Equal(created, o.CreateDateTime);
        Assert.Equal(100.5m, o.Revenue);
        await s.PostAsync(Orders + "/csv?merge_mode=SAVE", SandboxClient.CsvFile(
            $"id,client_uniq_id,client_type,create_date_time,order_status\nO-1,K-1,CONTACT,{created},PAID\n"));
        o = s.State.Counter(5).Orders["O-1"];
        Assert.Null(o.Revenue);
        Assert.Empty(o.Products);
    }

    [Fact]
    public async Task An_order_created_more_than_21_days_before_its_upload_is_stored_but_not_linked()
    {
        await using var s = await WithSchemaAsync();
        await UploadContactsAsync(s);
        await s.PostAsync(Orders + "/csv?merge_mode=SAVE", SandboxClient.CsvFile(
            $"id,client_uniq_id,client_type,create_date_time,order_status\nO-old,K-1,CONTACT,{Now(30)},PAID\nO-new,K-1,CONTACT,{Now(3)},PAID\n"));
        Assert.False(s.State.Counter(5).Orders["O-old"].Linked);
        Assert.True(s.State.Counter(5).Orders["O-new"].Linked);
    }

    [Fact]
    public async Task Rows_repeating_an_id_in_one_file_are_applied_in_random_order()
    {
        var outcomes = new HashSet<string?>();
        for (int seed = 0; seed < 12 && outcomes.Count < 2; seed++)
        {
            await using var s = await WithSchemaAsync(seed);
            await s.PostAsync(Orders + "/csv?merge_mode=SAVE", SandboxClient.CsvFile(
                $"id,client_uniq_id,client_type,create_date_time,order_status\nO-1,K-1,CONTACT,{Now()},IN_PROGRESS\nO-1,K-1,CONTACT,{Now()},PAID\n"));
            outcomes.Add(s.State.Counter(5).Orders["O-1"].OrderStatus);
        }
        Assert.Equal(2, outcomes.Count); // the last row does not always win
    }

    [Fact]
    public async Task Contact_rows_repeating_a_uniq_id_apply_in_the_same_random_order_from_csv_as_from_json()
    {
        var rows = new[] { ("K-1", "a1@x.ru"), ("K-2", "b1@x.ru"), ("K-1", "a2@x.ru"), ("K-3", "c1@x.ru"), ("K-1", "a3@x.ru"), ("K-2", "b2@x.ru") };
        string csv = "uniq_id,emails\n" + string.Concat(rows.Select(r => $"{r.Item1},{r.Item2}\n"));
        string json = "{\"contacts\":[" + string.Join(",", rows.Select(r => $"{{\"uniq_id\":\"{r.Item1}\",\"emails\":[\"{r.Item2}\"]}}")) + "]}";
        // APPEND keeps every row's email in the order the rows ran.
        string Outcome(SandboxClient s) => string.Join(";", new[] { "K-1", "K-2", "K-3" }.Select(id => s.State.Counter(5).Cdp.Contacts[id].Fields["emails"]));
        var outcomes = new HashSet<string>();
        for (int seed = 0; seed < 8; seed++)
        {
            await using var fromCsv = await WithSchemaAsync(seed);
            Assert.Equal(200, (await fromCsv.PostAsync(Contacts + "/csv?merge_mode=APPEND", SandboxClient.CsvFile(csv))).Status);
            await using var fromJson = await WithSchemaAsync(seed);
            Assert.Equal(200, (await fromJson.PostAsync(Contacts + "/json?merge_mode=APPEND", SandboxClient.Json(json))).Status);
            Assert.Equal(Outcome(fromJson), Outcome(fromCsv));
            outcomes.Add(Outcome(fromCsv));
        }
        Assert.True(outcomes.Count > 1);
    }

    [Fact]
    public async Task A_contacts_csv_row_with_too_few_cells_is_reported_before_an_earlier_bad_value()
    {
        await using var s = await WithSchemaAsync();
        SandboxClient.AssertError(await s.PostAsync(Contacts + "/csv?merge_mode=SAVE", SandboxClient.CsvFile("uniq_id,name,emails\nK-1,A,bad@@x\nK-2,B\n")),
            400, "invalid_uploading", "2 полей вместо 3");
        Assert.Empty(s.State.Counter(5).Cdp.Contacts);
    }

    [Theory]
    [InlineData("COMPANY", "{\"attributes\":[{\"name\":\"bad name\",\"type_name\":\"text\",\"multivalued\":false}]}", "invalid_parameter", "name=bad name")]
    [InlineData("CONTACT", "{\"attributes\":[{\"name\":\"x\",\"type_name\":\"text\"}]}", "missing_parameter", "multivalued")]
    [InlineData("CONTACT", "{\"attributes\":[{\"name\":\"x\",\"type_name\":\"money\",\"multivalued\":false}]}", "invalid_parameter", "type_name=money")]
    [InlineData("PERSON", "{\"attributes\":[]}", "invalid_parameter", "entity_type=PERSON")]
    [InlineData("", "{\"attributes\":[]}", "missing_parameter", "entity_type")]
    [InlineData("CONTACT", "{\"attributes\":[{\"name\":\"name\",\"type_name\":\"text\",\"multivalued\":false}]}", "invalid_parameter", "system attribute")]
    public async Task Attribute_rules(string entity, string body, string type, string message)
    {
        await using var s = await SandboxClient.StartAsync();
        var query = entity.Length > 0 ? "?entity_type=" + entity : "";
        SandboxClient.AssertError(await s.PostAsync("/cdp/api/v1/counter/5/schema/attributes" + query, SandboxClient.Json(body)), 400, type, message);
    }

    [Fact]
    public async Task Products_are_named_as_attributes_and_at_most_160000()
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync("/cdp/api/v1/counter/5/schema/products",
            SandboxClient.Json("{\"attributes\":[],\"items\":[{\"name\":\"bad name\"}]}")), 400, "invalid_parameter", "bad name");
        var many = "{\"attributes\":[],\"items\":[" + string.Join(",", Enumerable.Range(0, 160_001).Select(i => $"{{\"name\":\"p{i}\"}}")) + "]}";
        SandboxClient.AssertError(await s.PostAsync("/cdp/api/v1/counter/5/schema/products", SandboxClient.Json(many)), 400, "limit_exceeded", "160000");
        Assert.Equal(200, (await s.PostAsync("/cdp/api/v1/counter/5/schema/products", SandboxClient.Json("{\"attributes\":[],\"items\":[{\"name\":\"pear\",\"humanized\":\"Груша\"}]}"))).Status);
        Assert.Equal("Груша", s.State.Counter(5).Cdp.Products["pear"]);
    }

    [Fact]
    public async Task Columns_mapping_lets_custom_headers_through_and_is_checked()
    {
        await using var s = await WithSchemaAsync();
        var mapping = Uri.EscapeDataString("\"uniq_id\":\"ID\",\"name\":\"ФИО\"");
        Assert.Equal(200, (await s.PostAsync(Contacts + "/csv?merge_mode=SAVE&columns_mapping=" + mapping, SandboxClient.CsvFile("ID,ФИО\nK-1,Иван\n"))).Status);
        SandboxClient.AssertError(await s.PostAsync(Contacts + "/csv?merge_mode=SAVE&columns_mapping=" + Uri.EscapeDataString("uniq_id=ID"),
            SandboxClient.CsvFile("ID\nK-1\n")), 400, "invalid_parameter", "columns_mapping");
        SandboxClient.AssertError(await s.PostAsync(Contacts + "/csv?merge_mode=SAVE&columns_mapping=" + Uri.EscapeDataString("\"uniq_id\":\"Код\""),
            SandboxClient.CsvFile("ID\nK-1\n")), 400, "invalid_parameter", "'Код'");
    }

    [Fact]
    public async Task Simple_orders_refuse_a_schema_status_accept_a_short_valid_phone_and_leave_out_rows_without_identifiers()
    {
        await using var s = await SandboxClient.StartAsync();
        s.State.Counter(5).Statuses["delivery"] = new StoredStatus { Id = "delivery", Type = "IN_PROGRESS" };
        SandboxClient.AssertError(await s.PostAsync("/cdp/api/v1/counter/5/data/simple_orders?merge_mode=SAVE",
            SandboxClient.CsvFile($"id,create_date_time,emails,order_status\nA-1,{Now()},a@b.ru,delivery\n")), 400, "invalid_uploading", "order_status");
        var ok = await s.PostAsync("/cdp/api/v1/counter/5/data/simple_orders?merge_mode=SAVE",
            SandboxClient.CsvFile($"id,create_date_time,phones,order_status\nA-1,{Now()},376312345,PAID\nA-2,{Now()},,PAID\n"));
        Assert.Equal(200, ok.Status);
        Assert.Equal("PASSED", ok.Body.GetProperty("uploading").GetProperty("api_validation_status").GetString());
        Assert.Equal(1, ok.Body.GetProperty("uploading").GetProperty("elements_count").GetInt32());
        Assert.Equal(new[] { "A-1" }, s.State.Counter(5).Orders.Keys);
    }

    [Fact]
    public async Task More_than_100000_orders_of_one_client_are_refused_with_the_line()
    {
        await using var s = await WithSchemaAsync();
        var csv = new System.Text.StringBuilder("id,client_uniq_id,client_type,create_date_time,order_status\n");
        string day = Now();
        for (int i = 1; i <= CdpEndpoints.OrdersPerClientLimit + 1; i++) csv.Append($"O-{i},K-1,CONTACT,{day},PAID\n");
        SandboxClient.AssertError(await s.PostAsync(Orders + "/csv?merge_mode=SAVE", SandboxClient.CsvFile(csv.ToString())), 400, "invalid_uploading", "строке номер 100002");
        Assert.Empty(s.State.Counter(5).Orders);
    }
}
