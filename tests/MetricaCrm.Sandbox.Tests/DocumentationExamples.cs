using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MetricaCrm.Sandbox.Cdp;
using static MetricaCrm.Sandbox.Tests.DocumentationFixture;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>
/// Metrica's own documentation examples (tests/conformance, sources in its SOURCES.md) sent raw to the sandbox: each must
/// be answered as the docs show (status, shape, what is stored). Where the docs contradict themselves the test says so
/// and which side the sandbox takes.
/// </summary>
public sealed class DocumentationExamples
{
    /// <summary>The counter of the docs' examples.</summary>
    private const long Counter = 2215573;
    private const string Cdp = "/cdp/api/v1/counter/2215573";
    private const string Management = "/management/v1/counter/2215573";

    private static async Task AddGoalsAsync(SandboxClient s, params string[] goals)
    {
        foreach (var g in goals) Assert.Equal(200, (await s.SendAsync(HttpMethod.Post, $"/sandbox/counters/{Counter}/goals/{g}")).Status);
    }

    /// <summary>Whether Metrica would still link an order created at <paramref name="created"/> (counter time) today: 21 days.</summary>
    private static bool WithinLinkWindow(DateTime created) =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow")).DateTime - created <= TimeSpan.FromDays(21);

    private static async Task<List<StoredOrder>> OrdersAsync(SandboxClient s) =>
        (await s.Http.GetFromJsonAsync<List<StoredOrder>>($"/sandbox/counters/{Counter}/orders"))!;

    [Fact]
    public async Task Simple_orders_request_of_the_docs_is_stored_as_its_walkthrough_describes()
    {
        await using var s = await SandboxClient.StartAsync();
        // The walkthrough calls oplata_cash, filial_1 and plohoy_lead "javascript-цели": goals of the counter.
        await AddGoalsAsync(s, "oplata_cash", "filial_1", "plohoy_lead");
        // Sent as published, with its request-level Content-Disposition and its "Context-Length: TBD" (a typo of
        // Content-Length; HTTP ignores an unknown header, and so does the sandbox).
        var r = await s.SendAsync(Request("simple_orders/uploadsimpleorders-example.http"));
        Assert.True(r.Status == 200, r.Body.ToString());
        AssertShape(Json("simple_orders/uploadsimpleorders-response.json"), r.Body);
        var u = r.Body.GetProperty("uploading");
        Assert.Equal(("PASSED", 3, "SYSTEM", "CSV", "API"), (u.GetProperty("api_validation_status").GetString(), u.GetProperty("elements_count").GetInt32(),
            u.GetProperty("entity_type").GetString(), u.GetProperty("uploading_format").GetString(), u.GetProperty("uploading_source").GetString()));

        var orders = await OrdersAsync(s);
        Assert.Equal(3, orders.Count);
        var o1 = orders.Single(o => o.Id == "s_ord1");
        Assert.Equal(("s_user1", "PAID", 200m, 150m, (string?)null), (o1.ClientUniqId, o1.OrderStatus, o1.Revenue, o1.Cost, o1.Currency)); // no currency: roubles
        Assert.Equal(new[] { "mail@example.com", "mail2@example.com" }, o1.Emails);
        Assert.Equal(new[] { "oplata_cash:200", "filial_1" }, o1.Goals);
        var o2 = orders.Single(o => o.Id == "s_ord2");
        Assert.Equal(("PAID", "EUR", (string?)null), (o2.OrderStatus, o2.Currency, o2.ClientUniqId)); // no status: PAID by default
        Assert.Equal(new[] { "12345" }, o2.ClientIds);
        Assert.Equal(new[] { "mail3@example.com" }, o2.Emails);
        // The order without id. The walkthrough lists "Почта клиента: mail3@example.com" for it, but its row has no
        // e-mail: the docs contradict themselves, and the row as sent wins.
        var o3 = orders.Single(o => o.Id.StartsWith("(no id)"));
        Assert.Equal(("SPAM", "12.02.2024"), (o3.OrderStatus, o3.CreateDateTime));
        Assert.Equal(new[] { "34456" }, o3.ClientIds);
        Assert.Equal(new[] { "79876543210" }, o3.Phones);
        Assert.Empty(o3.Emails);
        Assert.Equal(new[] { "plohoy_lead" }, o3.Goals);
        // Created in 2024: linked only if that is within 21 days of today.
        Assert.Equal(WithinLinkWindow(new DateTime(2024, 1, 10, 11, 56, 0)), o1.Linked);
        Assert.Equal(WithinLinkWindow(new DateTime(2024, 2, 12, 23, 59, 0)), o3.Linked);
    }

    [Fact]
    public async Task Simple_orders_example_with_goals_the_counter_lacks_is_refused_naming_the_column()
    {
        // Whether Metrica refuses goals that are no goals of the counter or drops them is unconfirmed: the sandbox
        // refuses the file, as it does for the detailed orders' goals and for statuses.
        await using var s = await SandboxClient.StartAsync();
        await AddGoalsAsync(s, "oplata_cash", "plohoy_lead");
        SandboxClient.AssertError(await s.SendAsync(Request("simple_orders/uploadsimpleorders-example.http")), 400, "invalid_uploading", "колонке goals");
        Assert.Empty(await OrdersAsync(s));
    }

    [Fact]
    public async Task Last_uploadings_lists_the_documented_object_and_takes_the_documented_parameters()
    {
        await using var s = await SandboxClient.StartAsync();
        await AddGoalsAsync(s, "oplata_cash", "filial_1", "plohoy_lead");
        Assert.Equal(200, (await s.SendAsync(Request("simple_orders/uploadsimpleorders-example.http"))).Status);
        var listed = await s.GetAsync(Cdp + "/last_uploadings?limit=10&source=API");
        Assert.Equal(200, listed.Status);
        AssertShape(Json("uploads/getlastuploadings-response.json"), listed.Body);
        foreach (var u in listed.Body.GetProperty("uploadings").EnumerateArray())
            Assert.Contains(u.GetProperty("entity_type").GetString(), new[] { "SYSTEM", "CUSTOM_LIST", "SYSTEM_LIST" });
        // The parameter's own example: every upload is later than 2020-02-10 10:00:00, so none is listed.
        var before2020 = await s.GetAsync(Cdp + "/last_uploadings?datetime_offset=" + Uri.EscapeDataString("2020-02-10 10:00:00"));
        Assert.Equal(0, before2020.Body.GetProperty("uploadings").GetArrayLength());
        SandboxClient.AssertError(await s.GetAsync(Cdp + "/last_uploadings?limit=1001"), 400, "invalid_parameter", "limit");
        SandboxClient.AssertError(await s.GetAsync(Cdp + "/last_uploadings?limit=0"), 400, "invalid_parameter", "limit");
    }

    [Fact]
    public async Task Contacts_json_example_with_ClientIDs_as_strings_is_stored()
    {
        // The schema types client_ids as int64[]; the example sends strings of digits. Both are taken.
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Cdp + "/data/contacts/json?merge_mode=SAVE", SandboxClient.Json(Text("contacts/uploadcontactjson-example.json")));
        Assert.True(r.Status == 200, r.Body.ToString());
        AssertShape(Json("simple_orders/uploadsimpleorders-response.json"), r.Body);
        Assert.Equal(("JSON", 2), (r.Body.GetProperty("uploading").GetProperty("uploading_format").GetString(), r.Body.GetProperty("uploading").GetProperty("elements_count").GetInt32()));
        var ivanov = s.State.Counter(Counter).Cdp.Contacts["J3QQ4-H7H2V-2HCH4-M3HK8-6M8VW"];
        Assert.Equal(("Иванов И.", "2020-04-17 16:12:21", "12345678910,10987654321"), (ivanov.Fields["name"], ivanov.Fields["create_date_time"], ivanov.Fields["client_ids"]));
        Assert.Equal(("exampl1@example.com,example2@example.com", "78005553535,73449932378"), (ivanov.Fields["emails"], ivanov.Fields["phones"]));
        Assert.Equal("11223344556", s.State.Counter(Counter).Cdp.Contacts["ZYX4-H7H2V-2HCH4-M3HK8-6M8VW"].Fields["client_ids"]);
    }

    [Fact]
    public async Task Contacts_csv_example_maps_its_Russian_headers_onto_the_attribute_the_attributes_example_creates()
    {
        await using var s = await SandboxClient.StartAsync();
        // "age" is an attribute: the createattributes example creates it (numeric), and the contacts example maps Возраст onto it.
        var created = await s.PostAsync(Cdp + "/schema/attributes?entity_type=CONTACT", SandboxClient.Json(Text("attributes/createattributes-example.json")));
        Assert.Equal(200, created.Status);
        AssertShape(Json("attributes/createattributes-response.json"), created.Body);
        // The page lays the query out over indented lines; sent as one line, each value URL-encoded.
        var r = await s.SendAsync(Request("contacts/uploadcontacts-example.http"));
        Assert.True(r.Status == 200, r.Body.ToString());
        AssertShape(Json("simple_orders/uploadsimpleorders-response.json"), r.Body);
        var contacts = s.State.Counter(Counter).Cdp.Contacts;
        Assert.Equal(("Иван И.", "example@example.com", "40"), (contacts["11"].Fields["name"], contacts["11"].Fields["emails"], contacts["11"].Attributes["age"]));
        Assert.Equal(("Михаил Л.", "somebody@example.com", "24"), (contacts["42"].Fields["name"], contacts["42"].Fields["emails"], contacts["42"].Attributes["age"]));
        // Without the attribute the mapped column names nothing the counter has.
        await using var bare = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await bare.SendAsync(Request("contacts/uploadcontacts-example.http")), 400, "invalid_uploading", "'age'");
    }

    [Fact]
    public async Task Attributes_example_is_created_and_listed_as_sent()
    {
        await using var s = await SandboxClient.StartAsync();
        foreach (var entity in CdpEndpoints.EntityTypes)
        {
            var r = await s.PostAsync(Cdp + "/schema/attributes?entity_type=" + entity, SandboxClient.Json(Text("attributes/createattributes-example.json")));
            Assert.Equal(200, r.Status);
            AssertShape(Json("attributes/createattributes-response.json"), r.Body);
            Assert.True(r.Body.GetProperty("success").GetBoolean());
        }
        var listed = (await s.GetAsync(Cdp + "/schema/attributes?entity_type=CONTACT")).Body.GetProperty("attributes").EnumerateArray()
            .Select(a => (a.GetProperty("name").GetString(), a.GetProperty("type_name").GetString(), a.GetProperty("multivalued").GetBoolean(), a.GetProperty("humanized").GetString()));
        Assert.Equal(new (string?, string?, bool, string?)[] { ("dates_of_meetings", "date", true, "Даты обращений в магазин"), ("age", "numeric", false, "Возраст"), ("first_seen", "date", false, "Первый заказ") }, listed);
        // data.md says "entity_type=contact" / "entity_type=order" ("path-параметр"); the method's page defines an upper-case
        // query parameter. The docs contradict each other: the sandbox takes the method page's values only.
        SandboxClient.AssertError(await s.PostAsync(Cdp + "/schema/attributes?entity_type=contact", SandboxClient.Json(Text("attributes/createattributes-example.json"))),
            400, "invalid_parameter", "entity_type=contact");
    }

    [Fact]
    public async Task Products_example_creates_the_catalogue()
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Cdp + "/schema/products", SandboxClient.Json(Text("products/createproducts-example.json")));
        Assert.Equal(200, r.Status);
        AssertShape(Json("products/createproducts-response.json"), r.Body);
        Assert.Equal(new Dictionary<string, string> { ["pear"] = "Груша", ["cherry"] = "Вишня", ["apple"] = "Яблоко", ["tomato"] = "Томат" },
            s.State.Counter(Counter).Cdp.Products);
    }

    [Fact]
    public async Task Orders_json_example_is_stored_for_the_contact_of_the_contacts_example()
    {
        await using var s = await SandboxClient.StartAsync();
        await AddGoalsAsync(s, "goal_id1");
        Assert.Equal(200, (await s.PostAsync(Cdp + "/schema/products", SandboxClient.Json(Text("products/createproducts-example.json")))).Status);
        Assert.Equal(200, (await s.PostAsync(Cdp + "/data/contacts/json?merge_mode=SAVE", SandboxClient.Json(Text("contacts/uploadcontactjson-example.json")))).Status);
        var r = await s.PostAsync(Cdp + "/data/orders/json?merge_mode=SAVE", SandboxClient.Json(Text("orders/uploadordersjson-example-order-704.json")));
        Assert.True(r.Status == 200, r.Body.ToString());
        AssertShape(Json("simple_orders/uploadsimpleorders-response.json"), r.Body);
        var o = s.State.Counter(Counter).Orders["704"];
        Assert.Equal(("detailed", "J3QQ4-H7H2V-2HCH4-M3HK8-6M8VW", "CONTACT", "IN_PROGRESS", "2022-09-21 09:48:23", "2022-10-15 10:48:34"),
            (o.Kind, o.ClientUniqId, o.ClientType, o.OrderStatus, o.CreateDateTime, o.UpdateDateTime));
        Assert.Equal((4000m, 5000m), (o.Cost, o.Revenue));
        Assert.Equal(new[] { "goal_id1:123.5" }, o.Goals);
        Assert.Equal(new Dictionary<string, long> { ["pear"] = 10, ["apple"] = 30 }, o.Products);
        Assert.Equal(WithinLinkWindow(new DateTime(2022, 9, 21, 9, 48, 23)), o.Linked);
    }

    [Fact]
    public async Task Order_statuses_example_is_mapped_read_back_and_usable_by_orders()
    {
        await using var s = await SandboxClient.StartAsync();
        // Its goal_action_ids names the JS goal dostavka: without it on the counter the sandbox refuses the mapping
        // (whether Metrica checks is unconfirmed).
        SandboxClient.AssertError(await s.PostAsync(Cdp + "/schema/order_statuses", SandboxClient.Json(Text("order_statuses/maporderstatuses-example.json"))),
            400, "invalid_parameter", "dostavka");
        await AddGoalsAsync(s, "dostavka");
        var r = await s.PostAsync(Cdp + "/schema/order_statuses", SandboxClient.Json(Text("order_statuses/maporderstatuses-example.json")));
        Assert.Equal(200, r.Status);
        Assert.True(r.Body.GetProperty("success").GetBoolean());
        var read = await s.GetAsync(Cdp + "/schema/order_statuses");
        var statuses = read.Body.GetProperty("order_statuses").EnumerateArray().ToDictionary(x => x.GetProperty("id").GetString()!);
        Assert.Equal(new[] { "new", "prepairing", "delivery", "cancelled_by_client" }, statuses.Keys);
        Assert.Equal(("На доставке", "IN_PROGRESS", "dostavka"), (statuses["delivery"].GetProperty("humanized").GetString(),
            statuses["delivery"].GetProperty("type").GetString(), statuses["delivery"].GetProperty("goal_action_ids").GetString()));
        Assert.Equal("CANCELLED", statuses["cancelled_by_client"].GetProperty("type").GetString());

        // A detailed order may now carry a mapped id; a simple order may not (only types and goal ids, contacts.md).
        string created = DateTime.Now.AddDays(-1).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        Assert.Equal(200, (await s.PostAsync(Cdp + "/data/orders/csv?merge_mode=SAVE", SandboxClient.CsvFile(
            $"id,client_uniq_id,client_type,create_date_time,order_status\nO-1,K-1,CONTACT,{created},delivery\n"))).Status);
        SandboxClient.AssertError(await s.PostAsync(Cdp + "/data/simple_orders?merge_mode=SAVE", SandboxClient.CsvFile(
            $"id,create_date_time,client_ids,order_status\nS-1,{created},133591247640966458,delivery\n")), 400, "invalid_uploading", "order_status");
    }

    [Fact]
    public async Task Offline_conversions_example_file_and_the_Python_example_request_are_accepted_in_the_documented_shape()
    {
        await using var s = await SandboxClient.StartAsync();
        await AddGoalsAsync(s, "GOAL1");
        var r = await s.PostAsync(Management + "/offline_conversions/upload?comment=" + Uri.EscapeDataString("Загрузка 1"), File("offline_conversions/legacy-example.csv"));
        Assert.True(r.Status == 200, r.Body.ToString());
        AssertShape(Json("offline_conversions/upload-response.json"), r.Body);
        var u = r.Body.GetProperty("uploading");
        Assert.Equal((1, 1, "CLIENT_ID"), (u.GetProperty("source_quantity").GetInt32(), u.GetProperty("line_quantity").GetInt32(), u.GetProperty("client_id_type").GetString()));
        Assert.Contains(u.GetProperty("status").GetString(), new[] { "PREPARED", "UPLOADED", "EXPORTED", "MATCHED", "PROCESSED", "LINKAGE_FAILURE" });
        var stored = (await s.GetAsync($"/sandbox/counters/{Counter}/conversions")).Body.GetProperty("conversions")[0];
        Assert.Equal(("133591247640966458", "GOAL1", 1481718166L, 123.45m, "RUB"), (stored.GetProperty("clientId").GetString(), stored.GetProperty("target").GetString(),
            stored.GetProperty("dateTime").GetInt64(), stored.GetProperty("price").GetDecimal(), stored.GetProperty("currency").GetString()));

        // requests.post(url, headers=headers, files={"file": file}): one part named "file", its file name the key, no part Content-Type.
        Assert.Contains("files={\"file\":file}", Text("offline_conversions/python-example.py"));
        var python = await s.PostAsync(Management + "/offline_conversions/upload", File("offline_conversions/legacy-example.csv", fileName: "file", contentType: null));
        Assert.True(python.Status == 200, python.Body.ToString());

        var one = await s.GetAsync(Management + "/offline_conversions/uploading/" + u.GetProperty("id").GetInt64());
        AssertShape(Json("offline_conversions/findbyid-response.json"), one.Body);
        // findAll: "offset — the ordinal of the upload the list starts at; the first upload has number 0".
        var all = await s.GetAsync(Management + "/offline_conversions/uploadings");
        AssertShape(Json("offline_conversions/findall-response.json"), all.Body);
        var first = await s.GetAsync(Management + "/offline_conversions/uploadings?limit=1&offset=0");
        Assert.Equal(u.GetProperty("id").GetInt64(), first.Body.GetProperty("uploadings")[0].GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task Calls_with_every_documented_column_are_accepted_in_the_documented_shape()
    {
        await using var s = await SandboxClient.StartAsync();
        // new_goal_name's example value, Звонок.
        var r = await s.PostAsync(Management + "/offline_conversions/upload_calls?new_goal_name=" + Uri.EscapeDataString("Звонок"), File("calls/calls-columns-example.csv"));
        Assert.True(r.Status == 200, r.Body.ToString());
        AssertShape(Json("calls/uploadcalls-response.json"), r.Body);
        var u = r.Body.GetProperty("uploading");
        Assert.Equal((1, 1, 0, 1), (u.GetProperty("source_quantity").GetInt32(), u.GetProperty("line_quantity").GetInt32(),
            u.GetProperty("static_calls_quantity").GetInt32(), u.GetProperty("dynamic_calls_quantity").GetInt32()));
        var call = (await s.GetAsync($"/sandbox/counters/{Counter}/calls")).Body.GetProperty("calls")[0];
        Assert.Equal(("+70123456789", "клиента не устроила цена", 95, 12), (call.GetProperty("phoneNumber").GetString(), call.GetProperty("tag").GetString(),
            call.GetProperty("talkDuration").GetInt32(), call.GetProperty("holdDuration").GetInt32()));
        AssertShape(Json("calls/findcalluploadingbyid-response.json"), (await s.GetAsync(Management + "/offline_conversions/calls_uploading/" + u.GetProperty("id").GetInt64())).Body);
        AssertShape(Json("calls/findallcalluploadings-response.json"), (await s.GetAsync(Management + "/offline_conversions/calls_uploadings")).Body);
    }

    [Fact]
    public async Task Errors_come_in_the_documented_format_with_the_documented_status_of_each_type()
    {
        // errors.md prints the format as a template ("< error_type >", "... ]"), not as JSON: its keys are what is checked.
        string template = Text("errors/error-format.txt");
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(template));
        foreach (var key in new[] { "\"errors\"", "\"error_type\"", "\"message\"", "\"location\"", "\"code\"" }) Assert.Contains(key, template);
        var statusOf = Text("errors/error-types.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(',')).ToDictionary(f => f[0], f => int.Parse(f[1], CultureInfo.InvariantCulture));

        await using var s = await SandboxClient.StartAsync(new SandboxOptions { Counters = new[] { Counter } });
        var answers = new List<(int Status, JsonElement Body)>
        {
            await s.PostAsync(Cdp + "/data/simple_orders", SandboxClient.CsvFile("id\n")),                            // missing_parameter
            await s.PostAsync(Cdp + "/data/simple_orders?merge_mode=save", SandboxClient.CsvFile("id\n")),            // invalid_parameter
            await s.PostAsync(Cdp + "/data/simple_orders?merge_mode=SAVE", SandboxClient.CsvFile("id\n1\n")),         // invalid_uploading
            await s.PostAsync(Cdp + "/data/contacts/json?merge_mode=SAVE", SandboxClient.Json("{\"contacts\":[")),    // invalid_json
            await s.GetAsync(Management + "/offline_conversions/uploading/999"),                                      // not_found
            await s.GetAsync("/management/v1/counter/1/goals"),                                                       // access_denied
        };
        s.Http.DefaultRequestHeaders.Remove("Authorization");
        answers.Add(await s.GetAsync(Management + "/goals"));                                                         // unauthorized
        s.Http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "OAuth wrong");
        answers.Add(await s.GetAsync(Management + "/goals"));                                                         // invalid_token
        var seen = new HashSet<string>();
        foreach (var (status, body) in answers)
        {
            Assert.Equal(status, body.GetProperty("code").GetInt32());
            Assert.Equal(JsonValueKind.String, body.GetProperty("message").ValueKind);
            var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
            string type = error.GetProperty("error_type").GetString()!;
            Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
            Assert.True(statusOf.TryGetValue(type, out var documented), $"{type} is not a documented error type");
            Assert.Equal(documented, status);
            seen.Add(type);
        }
        Assert.Equal(new[] { "access_denied", "invalid_json", "invalid_parameter", "invalid_token", "invalid_uploading", "missing_parameter", "not_found", "unauthorized" }, seen.Order());
    }

    [Fact]
    public async Task Every_date_format_of_the_date_page_is_taken_and_its_misprinted_example_is_not()
    {
        await using var s = await SandboxClient.StartAsync();
        var rows = Text("dates/date-formats.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();
        int n = 0;
        foreach (var f in rows.Where(f => f[0] is "date" or "datetime"))
        {
            var r = await s.PostAsync(Cdp + "/data/simple_orders?merge_mode=SAVE", SandboxClient.CsvFile($"id,create_date_time,client_ids\nD-{++n},{f[2]},133591247640966458\n"));
            Assert.True(r.Status == 200, $"{f[1]} ({f[2]}): {r.Body}");
        }
        var json = rows.Single(f => f[0] == "json-date");
        Assert.Equal(200, (await s.PostAsync(Cdp + "/data/contacts/json?merge_mode=SAVE", SandboxClient.Json($"{{\"contacts\":[{{\"uniq_id\":\"K-1\",\"birth_date\":\"{json[2]}\"}}]}}"))).Status);
        // date.md: "Формат даты и времени: yyyy-MM-dd HH:mm:ss. Например: 2020-04-21 11:59:2." The example has one digit of
        // seconds and so does not fit the format printed beside it: the format wins (the stricter reading).
        var misprint = rows.Single(f => f[0] == "json-datetime");
        Assert.Equal("2020-04-21 11:59:2", misprint[2]);
        SandboxClient.AssertError(await s.PostAsync(Cdp + "/data/contacts/json?merge_mode=SAVE",
            SandboxClient.Json($"{{\"contacts\":[{{\"uniq_id\":\"K-2\",\"create_date_time\":\"{misprint[2]}\"}}]}}")), 400, "invalid_uploading", "create_date_time");
        Assert.Equal(200, (await s.PostAsync(Cdp + "/data/contacts/json?merge_mode=SAVE",
            SandboxClient.Json("{\"contacts\":[{\"uniq_id\":\"K-2\",\"create_date_time\":\"2020-04-21 11:59:21\"}]}"))).Status);
        // "Метрика не поддерживает даты до 1970.01.01."
        SandboxClient.AssertError(await s.PostAsync(Cdp + "/data/simple_orders?merge_mode=SAVE", SandboxClient.CsvFile("id,create_date_time,client_ids\nD-0,31.12.1969,1\n")),
            400, "invalid_uploading", "1970");
    }

    [Fact]
    public async Task Hashing_examples_are_refused_because_neither_holds_MD5_hashes()
    {
        // hashing.md shows two tables under the headers phones_md5,emails_md5: the first ("without hashing") holds plain
        // phones and e-mails, the second ("hashed") holds values that are no MD5 hex at all (33 characters, 'h', 'g', 'i').
        // The page contradicts its own rule (MD5 of each value): the sandbox keeps the rule and refuses both.
        string Md5(string v) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(v)));
        var plain = Text("hashing/hashing-plain.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).SelectMany(l => l.Split(',')).ToArray();
        var hashed = Text("hashing/hashing-hashed.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).SelectMany(l => l.Split(',')).ToArray();
        Assert.Equal(4, hashed.Length);
        for (int i = 0; i < hashed.Length; i++) Assert.NotEqual(Md5(plain[i]), hashed[i]);
        // Only the first (a31259d1…) even has the form of an MD5: the others are refused by form, which a sandbox can check.
        Assert.Equal(1, hashed.Count(h => h.Length == 32 && h.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f')));
        await using var s = await SandboxClient.StartAsync();
        string Prefixed(string csv) => string.Join('\n', csv.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select((l, i) => i == 0 ? "id,create_date_time," + l : $"H-{i},2024-01-10 11:56:00," + l)) + "\n";
        foreach (var file in new[] { "hashing/hashing-plain.csv", "hashing/hashing-hashed.csv" })
            SandboxClient.AssertError(await s.PostAsync(Cdp + "/data/simple_orders?merge_mode=SAVE", SandboxClient.CsvFile(Prefixed(Text(file)))),
                400, "invalid_uploading", "_md5");
        // The test vectors of simple-orders-data.md are MD5 and are taken.
        Assert.Equal(("3c56ff8fef0f6c65b36b2d25720fe276", "f09f2c3d48f31e2a802944ade2e5aec5"), (Md5("mail@yandex.ru"), Md5("79995551111")));
        Assert.Equal(200, (await s.PostAsync(Cdp + "/data/simple_orders?merge_mode=SAVE", SandboxClient.CsvFile(
            $"id,create_date_time,emails_md5,phones_md5\nH-1,2024-01-10 11:56:00,{Md5("mail@yandex.ru")},{Md5("79995551111")}\n"))).Status);
    }

    [Fact]
    public async Task Merge_modes_follow_the_tables_of_the_modes_page()
    {
        // modes.md: before → sent → after. SAVE: 1 → absent → null, "1,2" → "1,3" → "1,3"; UPDATE: 1 → absent → 1,
        // "1,2" → "1,3" → "1,3"; APPEND: 1 → absent → 1, "1,2" → "1,3" → "1,2,3". Checked on a multivalued attribute.
        async Task<string?> After(string mode, string before, string? sent)
        {
            await using var s = await SandboxClient.StartAsync();
            Assert.Equal(200, (await s.PostAsync(Cdp + "/schema/attributes?entity_type=CONTACT",
                SandboxClient.Json("{\"attributes\":[{\"name\":\"visits\",\"type_name\":\"numeric\",\"multivalued\":true}]}"))).Status);
            Assert.Equal(200, (await s.PostAsync(Cdp + "/data/contacts/csv?merge_mode=SAVE", SandboxClient.CsvFile($"uniq_id,visits\nK-1,\"{before}\"\n"))).Status);
            var csv = sent == null ? "uniq_id,name\nK-1,Иван\n" : $"uniq_id,visits\nK-1,\"{sent}\"\n";
            Assert.Equal(200, (await s.PostAsync(Cdp + "/data/contacts/csv?merge_mode=" + mode, SandboxClient.CsvFile(csv))).Status);
            return s.State.Counter(Counter).Cdp.Contacts["K-1"].Attributes.GetValueOrDefault("visits");
        }
        Assert.Null(await After("SAVE", "1", null));
        Assert.Equal("1,3", await After("SAVE", "1,2", "1,3"));
        Assert.Equal("1", await After("UPDATE", "1", null));
        Assert.Equal("1,3", await After("UPDATE", "1,2", "1,3"));
        Assert.Equal("1", await After("APPEND", "1", null));
        Assert.Equal("1,2,3", await After("APPEND", "1,2", "1,3"));
    }

    [Fact]
    public async Task The_misprinted_path_of_the_modes_page_is_not_an_endpoint()
    {
        // modes.md links "POST /cdp/apiv1/counter/{counterId}/data/contacts/csv"; every method page says /cdp/api/v1/.
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync("/cdp/apiv1/counter/2215573/data/contacts/csv?merge_mode=SAVE", SandboxClient.CsvFile("uniq_id\nK-1\n"));
        Assert.Equal(404, r.Status);
    }
}
