using System.Globalization;
using System.Reflection;
using MetricaCrm.Sandbox;
using static MetricaCrm.Module.Tests.DocumentationExampleFiles;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// Issue 21, second half: each documentation example of tests/conformance driven through the module from the input an
/// admin would have (the example's rows as a CRM export, or its objects as an API returns them), piped through the
/// Import, Convert and Send cmdlets into a sandbox. That sandbox must then hold, field by field, what a second fresh
/// sandbox holds after the example's own raw request (tests/MetricaCrm.Sandbox.Tests/DocumentationExamples.cs checks
/// that raw request against the docs). Where the module refuses part of an example, the test says which part and why,
/// and tests/conformance/SOURCES.md lists it under "Driven through the module".
/// </summary>
public sealed class DocumentationExamplesThroughModuleTests
{
    private const string Api = ModuleSession.Api;

    /// <summary>The stored text of a date-time, in any of the forms the examples and the module write, as a local time.</summary>
    private static DateTime? Local(string? text) => text == null ? null : DateTime.ParseExact(text,
        new[] { "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "dd.MM.yyyy HH:mm", "dd.MM.yyyy HH:mm:ss", "dd.MM.yy HH:mm", "dd.MM.yy HH:mm:ss", "dd.MM.yyyy", "dd.MM.yy", "yyyy-MM-dd" }, CultureInfo.InvariantCulture, DateTimeStyles.None);

    /// <summary>
    /// Every public property of two stored records, but the upload that stored them, equal; date-times compared as times
    /// (the docs write 10.01.2024 11:56, the module 2024-01-10 11:56:00, and the sandbox keeps the text as sent).
    /// </summary>
    private static void AssertSameRecord<T>(T fromDocs, T fromModule, params string[] dateTimes)
    {
        foreach (var p in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "UploadId"))
        {
            object? expected = p.GetValue(fromDocs), actual = p.GetValue(fromModule);
            if (dateTimes.Contains(p.Name)) Assert.True(Local((string?)expected) == Local((string?)actual), $"{p.Name}: the docs' request stored {expected}, the module {actual}");
            else if (expected is System.Collections.IEnumerable e and not string)
                Assert.True(e.Cast<object>().SequenceEqual(((System.Collections.IEnumerable)actual!).Cast<object>()),
                    $"{p.Name}: the docs' request stored [{string.Join(", ", e.Cast<object>())}], the module [{string.Join(", ", ((System.Collections.IEnumerable)actual!).Cast<object>())}]");
            else Assert.True(Equals(expected, actual), $"{p.Name}: the docs' request stored {expected}, the module {actual}");
        }
    }

    private static void AssertSameOrder(StoredOrder fromDocs, StoredOrder fromModule) =>
        AssertSameRecord(fromDocs, fromModule, nameof(StoredOrder.CreateDateTime), nameof(StoredOrder.UpdateDateTime), nameof(StoredOrder.FinishDateTime));

    private static void AssertSameContacts(SandboxServer fromDocs, ModuleSession module)
    {
        var expected = fromDocs.State.Counter(Counter).Cdp.Contacts;
        var actual = module.Counter(Counter).Cdp.Contacts;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (id, contact) in expected)
        {
            Assert.Equal(contact.Fields, actual[id].Fields);
            Assert.Equal(contact.Attributes, actual[id].Attributes);
        }
    }

    /// <summary>The docs' objects as Invoke-RestMethod or ConvertFrom-Json gives them to a script: <c>$docs.&lt;property&gt;</c>.</summary>
    private static string Objects(string relativePath, string property) =>
        $"([IO.File]::ReadAllText('{PathOf(relativePath)}') | ConvertFrom-Json).{property}";

    /// <summary>Runs a script that must neither stop nor report an error.</summary>
    private static RunResult Clean(ModuleSession s, string script)
    {
        var r = s.Run(script);
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        return r;
    }

    /// <summary>A module session whose counter has the example's JS goals, with ConvertFrom-Json and Import-Csv as in any pwsh.</summary>
    private static async Task<ModuleSession> ModuleAsync(params string[] goals)
    {
        var s = await ModuleSession.StartAsync();
        s.Counter(Counter).Goals.AddRange(goals);
        Assert.Empty(s.Run("Import-Module $args[0]", typeof(Microsoft.PowerShell.Commands.ConvertFromJsonCommand).Assembly.Location).Errors);
        return s;
    }

    [Fact]
    public async Task Simple_orders_example_as_a_CRM_export_stores_its_first_order_as_the_docs_request_and_refuses_what_the_module_cannot_send()
    {
        string[] goals = { "oplata_cash", "filial_1", "plohoy_lead" };
        var (target, csv) = HttpExample("simple_orders/uploadsimpleorders-example.http");
        await using var docs = await RawAsync(goals, (target, CsvPart(csv)));
        var byDocs = (await OrdersAsync(docs)).ToDictionary(o => o.Id);

        await using var s = await ModuleAsync(goals);
        var export = s.WriteFile("orders.csv", csv);
        var r = s.Run($"Import-CrmOrder '{export}' -TimeZone 'Europe/Moscow' | Send-MetricaConversion -CounterId {Counter} {Api} -Wait");
        Assert.Null(r.Terminating);
        // s_ord2 and the third row name the ClientIDs 12345 and 34456: placeholders, shorter than any visitor's ClientID
        // (at least 10 digits), which would match nobody. Beside s_ord2's e-mail the ClientID is left out with a warning,
        // and s_ord2 then stops at the Send for its empty status (below). The third row has no id either: Metrica stores
        // it, the module cannot (its journal, the repeat check and any later status change need the id).
        Assert.Equal(new[] { "MissingStatus", "MissingValue" }, r.ErrorIds);
        Assert.Single(r.Warnings, w => w.Message.Contains("line 3") && w.Message.Contains("'12345'") && w.Message.Contains("[InvalidClientId]"));
        Assert.Contains("line 3", r.Errors[0].Exception.Message);
        Assert.Contains("line 4", r.Errors[1].Exception.Message);
        AssertSameOrder(byDocs["s_ord1"], Assert.Single(await s.StoredOrdersAsync(Counter)));

        // s_ord2 without the placeholder ClientID (its e-mail still identifies it): Metrica counts a row without a status
        // as PAID, the module never sends a status nobody gave.
        string withoutClientId = $"Import-Csv -LiteralPath '{export}' | Where-Object id -eq 's_ord2' | ForEach-Object {{ $_.client_ids = ''; $_ }}";
        var noStatus = s.Run($"{withoutClientId} | Import-CrmOrder -TimeZone 'Europe/Moscow' | Send-MetricaConversion -CounterId {Counter} {Api}");
        Assert.Equal("MissingStatus", Assert.Single(noStatus.ErrorIds));
        // The admin's answer: the status written out, as the walkthrough reads the empty cell. Then it is the docs' order.
        Clean(s, $"{withoutClientId} | ForEach-Object {{ $_.order_status = 'PAID'; $_ }} | Import-CrmOrder -TimeZone 'Europe/Moscow' | " +
                         $"Send-MetricaConversion -CounterId {Counter} {Api} -Wait");
        var documented = byDocs["s_ord2"];
        Assert.Equal(new[] { "12345" }, documented.ClientIds);
        documented.ClientIds = new();
        AssertSameOrder(documented, (await s.StoredOrdersAsync(Counter)).Single(o => o.Id == "s_ord2"));
    }

    [Theory]
    [InlineData("Csv")]
    [InlineData("Json")]
    public async Task Contacts_json_example_as_API_objects_stores_the_same_contacts(string format)
    {
        await using var docs = await RawAsync(Array.Empty<string>(), (Cdp + "/data/contacts/json?merge_mode=SAVE", JsonBody("contacts/uploadcontactjson-example.json")));

        await using var s = await ModuleAsync();
        var r = Clean(s, $"{Objects("contacts/uploadcontactjson-example.json", "contacts")} | Import-CrmClient -TimeZone 'Europe/Moscow' | " +
                      $"Send-MetricaContact -CounterId {Counter} -Format {format} {Api} -Wait");
        // As CSV, contacts that fill other columns go as files of their own (no file has an empty cell); JSON leaves keys out.
        Assert.All(r.Output, o => Assert.Equal("PASSED", o.Properties["Status"].Value));
        if (format == "Json") Assert.Single(r.Output);
        AssertSameContacts(docs, s);
    }

    [Theory]
    [InlineData("Csv")]
    [InlineData("Json")]
    public async Task Contacts_csv_example_with_its_columns_mapping_as_a_column_map_stores_the_same_contacts_and_age(string format)
    {
        var (target, csv) = HttpExample("contacts/uploadcontacts-example.http");
        await using var docs = await RawAsync(Array.Empty<string>(),
            (Cdp + "/schema/attributes?entity_type=CONTACT", JsonBody("attributes/createattributes-example.json")), (target, CsvPart(csv)));

        await using var s = await ModuleAsync();
        Clean(s, $"{Objects("attributes/createattributes-example.json", "attributes")} | Set-MetricaAttribute -CounterId {Counter} -EntityType CONTACT -Force {Api}");
        // The request's columns_mapping ("uniq_id":"ИД", "name":"Имя", "emails":"Почта", "age":"Возраст") is what -ColumnMap says.
        var export = s.WriteFile("contacts.csv", csv);
        Clean(s, $"Import-CrmClient '{export}' -TimeZone 'Europe/Moscow' -ColumnMap @{{ uniq_id = 'ИД'; name = 'Имя'; emails = 'Почта'; age = 'Возраст' }} -Attribute age | " +
                      $"Send-MetricaContact -CounterId {Counter} -Format {format} {Api} -Wait");
        AssertSameContacts(docs, s);
        Assert.Equal("40", s.Counter(Counter).Cdp.Contacts["11"].Attributes["age"]);
    }

    [Theory]
    [InlineData("CONTACT")]
    [InlineData("ORDER")]
    [InlineData("SIMPLE_ORDER")]
    [InlineData("COMPANY")]
    public async Task Attributes_example_as_objects_creates_the_same_attributes(string entity)
    {
        await using var docs = await RawAsync(Array.Empty<string>(), (Cdp + "/schema/attributes?entity_type=" + entity, JsonBody("attributes/createattributes-example.json")));

        await using var s = await ModuleAsync();
        Clean(s, $"{Objects("attributes/createattributes-example.json", "attributes")} | Set-MetricaAttribute -CounterId {Counter} -EntityType {entity} -Force {Api}");
        Assert.Equal(docs.State.Counter(Counter).Cdp.Attributes, s.Counter(Counter).Cdp.Attributes);
    }

    [Fact]
    public async Task An_attribute_object_whose_own_entity_differs_from_EntityType_stops_the_cmdlet_before_any_request()
    {
        await using var s = await ModuleAsync();
        var r = s.Run($"@{{ entity_type = 'ORDER'; name = 'age'; type_name = 'numeric' }}, @{{ name = 'segment' }} | Set-MetricaAttribute -CounterId {Counter} -EntityType CONTACT -Force {Api}");
        Assert.Equal("InvalidAttribute", Assert.Single(r.ErrorIds));
        Assert.Contains("'age' has EntityType ORDER, and -EntityType says CONTACT", r.Errors[0].Exception.Message);
        Assert.Empty(s.Requests("/schema/attributes"));
        Assert.Empty(s.Counter(Counter).Cdp.Attributes);
    }

    [Fact]
    public async Task Products_example_as_objects_creates_the_same_catalogue()
    {
        await using var docs = await RawAsync(Array.Empty<string>(), (Cdp + "/schema/products", JsonBody("products/createproducts-example.json")));

        await using var s = await ModuleAsync();
        Clean(s, $"{Objects("products/createproducts-example.json", "items")} | Set-MetricaProduct -CounterId {Counter} -Force {Api}");
        Assert.Equal(docs.State.Counter(Counter).Cdp.Products, s.Counter(Counter).Cdp.Products);
    }

    [Fact]
    public async Task Order_statuses_example_as_objects_maps_the_same_statuses()
    {
        string[] goals = { "dostavka" };
        await using var docs = await RawAsync(goals, (Cdp + "/schema/order_statuses", JsonBody("order_statuses/maporderstatuses-example.json")));

        await using var s = await ModuleAsync(goals);
        Clean(s, $"{Objects("order_statuses/maporderstatuses-example.json", "order_statuses")} | Set-MetricaOrderStatus -CounterId {Counter} {Api} -Confirm:$false");
        var expected = docs.State.Counter(Counter).Statuses;
        var actual = s.Counter(Counter).Statuses;
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (id, status) in expected) AssertSameRecord(status, actual[id]);

        // As in the raw suite: a detailed order may now carry the mapped id 'delivery', a simplified order may not.
        string created = DateTime.Now.AddDays(-1).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        string deal = $"[pscustomobject]@{{ id = 'O-1'; client_uniq_id = 'K-1'; client_ids = '133591247640966458'; create_date_time = '{created}'; order_status = 'delivery' }}";
        Clean(s, $"{deal} | Import-CrmOrder -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map @{{ delivery = 'delivery' }} | Send-MetricaOrder -CounterId {Counter} {Api}");
        Assert.Equal(("detailed", "delivery"), (await s.StoredOrdersAsync(Counter)).Select(o => (o.Kind, o.OrderStatus)).Single());
        var simple = s.Run($"{deal} | Import-CrmOrder -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map @{{ delivery = 'delivery' }} | Send-MetricaConversion -CounterId {Counter} {Api}");
        // The map itself sends what a simplified order cannot take: the send stops before any upload, naming the cmdlet that can.
        Assert.Equal("StatusMapNotForCounter", Assert.Single(simple.ErrorIds));
        Assert.Contains("custom status id of the counter's schema goes with detailed orders (Send-MetricaOrder)", simple.Errors[0].Exception.Message);
        Assert.Empty(s.Requests("/data/simple_orders"));
    }

    /// <summary>
    /// The orders example's order 704 belongs to the contacts example's first contact, reaches goal_id1 and names two
    /// products of the products example. The catalogue goes through the module too; the contacts, which are not what
    /// this test is about (their own test drives them), go to both sandboxes as the docs' request.
    /// </summary>
    [Theory]
    [InlineData("Json", "objects")]
    [InlineData("Csv", "objects")]
    [InlineData("Json", "csv")]
    [InlineData("Csv", "csv")]
    public async Task Orders_json_example_stores_the_same_detailed_order(string format, string input)
    {
        string[] goals = { "goal_id1" };
        var contacts = (Cdp + "/data/contacts/json?merge_mode=SAVE", (HttpContent)JsonBody("contacts/uploadcontactjson-example.json"));
        await using var docs = await RawAsync(goals,
            (Cdp + "/schema/products", JsonBody("products/createproducts-example.json")), contacts,
            (Cdp + "/data/orders/json?merge_mode=SAVE", JsonBody("orders/uploadordersjson-example-order-704.json")));

        await using var s = await ModuleAsync(goals);
        using (var http = new HttpClient { BaseAddress = s.Sandbox.BaseUri })
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "OAuth " + SandboxOptions.DefaultToken);
            (await http.PostAsync(contacts.Item1, JsonBody("contacts/uploadcontactjson-example.json"))).EnsureSuccessStatusCode();
        }
        Clean(s, $"{Objects("products/createproducts-example.json", "items")} | Set-MetricaProduct -CounterId {Counter} -Force {Api}");
        // The same order as a CRM's export would have it: goals as goal:price and products as product:quantity.
        string orders = input == "objects"
            ? Objects("orders/uploadordersjson-example-order-704.json", "orders")
            : $"'{s.WriteFile("orders.csv", "id,client_uniq_id,order_status,create_date_time,update_date_time,cost,revenue,goals,products\n" +
                                             "704,J3QQ4-H7H2V-2HCH4-M3HK8-6M8VW,IN_PROGRESS,2022-09-21 09:48:23,2022-10-15 10:48:34,4000,5000,goal_id1:123.5,\"pear:10,apple:30\"\n")}'";
        var r = Clean(s, $"{orders} | Import-CrmOrder -TimeZone 'Europe/Moscow' | Send-MetricaOrder -CounterId {Counter} -Format {format} {Api} -Wait");
        Assert.Contains(r.Warnings, w => w.Message.StartsWith("1 order(s) were created more than 21 days ago", StringComparison.Ordinal));
        AssertSameOrder(Assert.Single(await OrdersAsync(docs)), Assert.Single(await s.StoredOrdersAsync(Counter)));
    }

    [Fact]
    public async Task Offline_conversions_example_file_stores_the_same_conversion()
    {
        string[] goals = { "GOAL1" };
        await using var docs = await RawAsync(goals, (Management + "/offline_conversions/upload", CsvPart(Text("offline_conversions/legacy-example.csv"))));

        await using var s = await ModuleAsync(goals);
        Clean(s, $"Import-CrmConversion '{PathOf("offline_conversions/legacy-example.csv")}' | Send-MetricaOfflineConversion -CounterId {Counter} {Api}");
        AssertSameRecord(Assert.Single(docs.State.Counter(Counter).Offline.Conversions.Values), Assert.Single(s.Counter(Counter).Offline.Conversions.Values));
    }

    [Fact]
    public async Task Calls_example_file_with_every_documented_column_stores_the_same_call()
    {
        await using var docs = await RawAsync(Array.Empty<string>(),
            (Management + "/offline_conversions/upload_calls?new_goal_name=" + Uri.EscapeDataString("Звонок"), CsvPart(Text("calls/calls-columns-example.csv"))));

        await using var s = await ModuleAsync();
        Clean(s, $"Import-CrmCall '{PathOf("calls/calls-columns-example.csv")}' | Send-MetricaCall -CounterId {Counter} -NewGoalName 'Звонок' {Api}");
        Assert.Equal(docs.State.Counter(Counter).Offline.CallGoalName, s.Counter(Counter).Offline.CallGoalName);
        AssertSameRecord(Assert.Single(docs.State.Counter(Counter).Offline.Calls.Values), Assert.Single(s.Counter(Counter).Offline.Calls.Values));
    }

    /// <summary>
    /// date.md's CSV formats as the creation times of a CRM export: each row stored at the time the docs' raw row is.
    /// A date without a time is the exception: the module sends the end of that day (Metrica matches sessions up to 23:59
    /// of it, so a shop's "paid on 21.04" is not put before that day's visit), where the raw row keeps the bare date.
    /// </summary>
    [Fact]
    public async Task Every_csv_date_format_of_the_date_page_gives_the_same_creation_time_and_a_bare_date_the_end_of_that_day()
    {
        var formats = Text("dates/date-formats.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))
            .Where(f => f[0] is "date" or "datetime").ToList();
        string csv = "id,create_date_time,client_ids,order_status\n" + string.Concat(formats.Select((f, i) => $"D-{i},{f[2]},133591247640966458,PAID\n"));
        await using var docs = await RawAsync(Array.Empty<string>(), (Cdp + "/data/simple_orders?merge_mode=SAVE", CsvPart(csv)));
        var byDocs = (await OrdersAsync(docs)).ToDictionary(o => o.Id);

        await using var s = await ModuleAsync();
        Clean(s, $"Import-CrmOrder '{s.WriteFile("orders.csv", csv)}' -TimeZone 'Europe/Moscow' | Send-MetricaConversion -CounterId {Counter} {Api}");
        var byModule = (await s.StoredOrdersAsync(Counter)).ToDictionary(o => o.Id);
        Assert.Equal(formats.Count, byModule.Count);
        for (int i = 0; i < formats.Count; i++)
        {
            var (documented, sent) = (byDocs[$"D-{i}"], byModule[$"D-{i}"]);
            if (formats[i][0] == "datetime") AssertSameOrder(documented, sent);
            else Assert.Equal(Local(documented.CreateDateTime)!.Value.Date.AddDays(1).AddSeconds(-1), Local(sent.CreateDateTime));
        }
    }

    /// <summary>
    /// hashing.md's two tables under their own phones_md5,emails_md5 headers: neither holds MD5 hashes, and as the raw
    /// upload of each is refused, the module refuses each row, naming the cell. The page's plain values, read as phones
    /// and e-mails with -HashIdentifiers, go up as the MD5 of their normalised form.
    /// </summary>
    [Fact]
    public async Task Hashing_tables_are_refused_row_by_row_and_their_plain_values_go_up_hashed()
    {
        await using var s = await ModuleAsync();
        string Orders(string table) => "id,create_date_time,order_status," + string.Join('\n', table.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select((l, i) => i == 0 ? l : $"H-{i},2024-01-10 11:56:00,PAID,{l}")) + "\n";
        // The "unhashed" table's plain values under _md5 headers: no row has a hash, every row is refused.
        var plainRun = s.Run($"Import-CrmOrder '{s.WriteFile("hashed.csv", Orders(Text("hashing/hashing-plain.csv")))}' -TimeZone 'Europe/Moscow' | Send-MetricaConversion -CounterId {Counter} {Api}");
        Assert.Equal(new[] { "InvalidHash", "InvalidHash" }, plainRun.ErrorIds);
        Assert.Empty(s.Requests("/data/simple_orders"));
        // The "hashed" table: row 1's phone hash is well-formed MD5 (32 hex digits), so it goes and its 33-character
        // e-mail "hash" is left out with a warning (a bad identifier beside a usable one); row 2 has none and is refused.
        var hashedRun = s.Run($"Import-CrmOrder '{s.WriteFile("hashed.csv", Orders(Text("hashing/hashing-hashed.csv")))}' -TimeZone 'Europe/Moscow' | Send-MetricaConversion -CounterId {Counter} {Api} -Wait");
        Assert.Equal(new[] { "InvalidHash" }, hashedRun.ErrorIds);
        Assert.Contains("line 3", hashedRun.Errors[0].Exception.Message);
        Assert.Single(hashedRun.Warnings, w => w.Message.Contains("line 2") && w.Message.Contains("78ee6d68f49d2c90397d9ff77fc3814d1"));
        var sent = Assert.Single(await s.StoredOrdersAsync(Counter));
        Assert.Equal("H-1", sent.Id);
        Assert.Equal(new[] { "a31259d185ad013e0a663437c605d056" }, sent.PhonesMd5);
        Assert.Empty(sent.EmailsMd5);

        string plain = Orders(Text("hashing/hashing-plain.csv")).Replace("phones_md5,emails_md5", "phones,emails");
        Clean(s, $"Import-CrmOrder '{s.WriteFile("plain.csv", plain)}' -TimeZone 'Europe/Moscow' -HashIdentifiers | Send-MetricaConversion -CounterId {Counter} {Api}");
        static string Md5(string v) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(v)));
        var h1 = (await s.StoredOrdersAsync(Counter)).Single(o => o.Id == "H-1");
        Assert.Equal(new[] { Md5("79876543210") }, h1.PhonesMd5);
        Assert.Equal(new[] { Md5("mail@yandex.ru") }, h1.EmailsMd5);
        Assert.Equal("3c56ff8fef0f6c65b36b2d25720fe276", h1.EmailsMd5[0]); // the page's own test vector of mail@yandex.ru
        Assert.Empty(h1.Phones.Concat(h1.Emails));
    }
}
