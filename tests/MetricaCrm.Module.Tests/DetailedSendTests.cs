using System.Net.Http.Json;
using MetricaCrm.Sandbox;
using MetricaCrm.Sandbox.Cdp;

namespace MetricaCrm.Module.Tests;

/// <summary>Issue 7: contacts, then detailed orders, through PowerShell into the sandbox, CSV and JSON, every field checked where it landed.</summary>
public sealed class DetailedSendTests
{
    private const long Counter = 12345;
    /// <summary>One clock reading for every file of the class: a creation time that moved would be refused (CreateDateChanged).</summary>
    private static readonly DateTime Now = DateTime.Now;
    private static string Day(int daysAgo) => Now.AddDays(-daysAgo).ToString("dd.MM.yyyy HH:mm");
    private static string Stored(int daysAgo) => Now.AddDays(-daysAgo).ToString("yyyy-MM-dd HH:mm:00");

    private static async Task<ModuleSession> WithSchemaAsync()
    {
        var s = await ModuleSession.StartAsync();
        var r = s.Run($"Set-MetricaAttribute -CounterId {Counter} -EntityType CONTACT -Name shoe_size, segment {ModuleSession.Api} -Force; " +
                      $"Set-MetricaAttribute -CounterId {Counter} -EntityType ORDER -Name branch {ModuleSession.Api} -Force; " +
                      $"@{{ Id = 'delivery'; Humanized = 'Доставка'; Type = 'IN_PROGRESS' }} | Set-MetricaOrderStatus -CounterId {Counter} {ModuleSession.Api} -Confirm:$false");
        Assert.Empty(r.Errors);
        return s;
    }

    /// <summary>The company id and comment only for JSON: Metrica documents them only there, and a CSV contact with them is refused (JsonOnlyField).</summary>
    private string Contacts(ModuleSession s, bool jsonOnlyFields) => s.WriteFile("contacts.csv",
        "ID клиента;ФИО;Дата рождения;Телефон;E-mail;ClientID;Компания ID;Комментарий;Дата создания;shoe_size;segment\n" +
        $"K-1;Иван Петров;01.05.1990;8 999 555 11 11;Ivan@Mail.ru;133591247640966458;{(jsonOnlyFields ? "F-9;постоянный" : ";")};{Day(40)};42;vip\n" +
        $"K-2;Анна;;+7 999 555 22 22;;;;;{Day(10)};38;\n");

    private string Deals(ModuleSession s) => s.WriteFile("deals.csv",
        "Номер заказа;Дата создания;Client ID;Статус;Сумма;Себестоимость;Цели;branch\n" +
        $"D-1;{Day(2)};K-1;paid;\"7 328,50\";1000;order_confirmed:50;north\n" +
        $"D-2;{Day(3)};K-2;доставка;1200;;;south\n" +
        $"D-3;{Day(30)};K-2;new;540;;;\n");

    private string Lines(ModuleSession s) => s.WriteFile("lines.csv", "Номер заказа;Товар;Количество\nD-1;sneakers;1\nD-1;socks;3\nD-2;boots;2\n");

    private const string Map = "@{ paid = 'PAID'; 'доставка' = 'delivery'; new = 'IN_PROGRESS' }";

    [Theory]
    [InlineData("Csv")]
    [InlineData("Json")]
    public async Task Contacts_then_orders_land_with_every_field(string format)
    {
        await using var s = await WithSchemaAsync();
        var contacts = s.Run($"Import-CrmClient '{Contacts(s, jsonOnlyFields: format == "Json")}' -TimeZone 'Europe/Moscow' -Attribute shoe_size, segment | " +
                             $"Send-MetricaContact -CounterId {Counter} -Format {format} {ModuleSession.Api} -Wait");
        Assert.Empty(contacts.Errors);
        // A CSV file holds only the columns its contacts fill: K-2 has no birth date, e-mail, ClientID or segment, so it
        // goes in a second file of the same batch; a JSON body leaves each contact's absent fields out by itself.
        Assert.Equal(format == "Csv" ? 2 : 1, contacts.Output.Count);
        foreach (var contactUpload in contacts.Output)
            Assert.Equal(("PASSED", "CONTACT", format.ToUpperInvariant()), ((string)contactUpload.Properties["Status"].Value,
                (string)contactUpload.Properties["EntityType"].Value, (string)contactUpload.Properties["Format"].Value));

        var stored = (await s.Http.GetFromJsonAsync<List<StoredContact>>($"/sandbox/counters/{Counter}/contacts"))!;
        var k1 = stored.Single(c => c.UniqId == "K-1");
        Assert.Equal("Иван Петров", k1.Fields["name"]);
        Assert.Equal("79995551111", k1.Fields["phones"]);
        Assert.Equal("ivan@mail.ru", k1.Fields["emails"]);
        Assert.Equal("133591247640966458", k1.Fields["client_ids"]);
        if (format == "Json")
            Assert.Equal(("F-9", "постоянный"), (k1.Fields["company_uniq_id"], k1.Fields["user_comment"]));
        Assert.Equal(Stored(40), k1.Fields["create_date_time"]);
        Assert.Equal(("42", "vip"), (k1.Attributes["shoe_size"], k1.Attributes["segment"]));
        Assert.Equal(format == "Csv" ? "1990-05-01" : "1990-05-01", k1.Fields["birth_date"]);
        Assert.False(stored.Single(c => c.UniqId == "K-2").Attributes.ContainsKey("segment"));

        var orders = s.Run($"Import-CrmOrder '{Deals(s)}' -ItemsPath '{Lines(s)}' -Attribute branch -TimeZone 'Europe/Moscow' | " +
                           $"Convert-MetricaStatus -Map {Map} | Send-MetricaOrder -CounterId {Counter} -Format {format} {ModuleSession.Api} -Wait");
        Assert.Empty(orders.Errors);
        Assert.Contains(orders.Warnings, w => w.Message.StartsWith("1 order(s) were created more than 21 days ago"));
        Assert.DoesNotContain(orders.Warnings, w => w.Message.Contains("never saw accepted")); // the contacts went first
        var byId = (await s.StoredOrdersAsync(Counter)).ToDictionary(o => o.Id);
        var d1 = byId["D-1"];
        Assert.Equal(("detailed", "K-1", "CONTACT", "PAID", 7328.50m, 1000m), (d1.Kind, d1.ClientUniqId, d1.ClientType, d1.OrderStatus, d1.Revenue, d1.Cost));
        Assert.Equal(Stored(2), d1.CreateDateTime);
        Assert.Equal(new[] { "order_confirmed:50" }, d1.Goals);
        Assert.Equal(new Dictionary<string, long> { ["sneakers"] = 1, ["socks"] = 3 }, d1.Products);
        Assert.Equal("north", d1.Attributes["branch"]);
        Assert.True(d1.Linked);
        Assert.Equal("delivery", byId["D-2"].OrderStatus);                  // an id of the counter's status schema
        Assert.False(byId["D-3"].Linked);                                    // sent, but older than 21 days
        Assert.Empty(byId["D-3"].Attributes);
    }

    [Fact]
    public async Task Merge_modes_on_re_sends_behave_as_Metrica_documents()
    {
        await using var s = await WithSchemaAsync();
        var deals = Deals(s);
        string Send(string file, string mode, string extra = "") =>
            $"Import-CrmOrder '{file}' {extra} -Attribute branch -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map {Map} | " +
            $"Send-MetricaOrder -CounterId {Counter} -MergeMode {mode} {ModuleSession.Api}";
        var first = s.Run(Send(deals, "Save", $"-ItemsPath '{Lines(s)}'"));
        Assert.Empty(first.Errors);
        // No contacts were sent: one warning counts the orders Metrica will not link yet.
        Assert.Single(first.Warnings, w => w.Message.StartsWith("3 order(s) of 2 client(s) belong to contacts the upload journal never saw accepted for counter 12345"));

        // UPDATE with only id, client, status: the revenue and products sent before stay.
        var update = s.WriteFile("update.csv", $"Номер заказа;Дата создания;Client ID;Статус;branch\nD-1;{Day(2)};K-1;new;north\n");
        Assert.Empty(s.Run(Send(update, "Update")).Errors);
        var d1 = (await s.StoredOrdersAsync(Counter)).Single(o => o.Id == "D-1");
        Assert.Equal(("IN_PROGRESS", 7328.50m, 2), (d1.OrderStatus, d1.Revenue, d1.Products.Count));

        // APPEND adds a product to the list.
        var more = s.WriteFile("more.csv", $"Номер заказа;Дата создания;Client ID;Статус;branch\nD-1;{Day(2)};K-1;new;north\n");
        var moreLines = s.WriteFile("more-lines.csv", "Номер заказа;Товар;Количество\nD-1;insoles;2\n");
        Assert.Empty(s.Run(Send(more, "Append", $"-ItemsPath '{moreLines}'")).Errors);
        d1 = (await s.StoredOrdersAsync(Counter)).Single(o => o.Id == "D-1");
        Assert.Equal(new[] { "insoles", "sneakers", "socks" }, d1.Products.Keys.Order());

        // Another creation date for an accepted order: the journal refuses it with its line (it would never match)...
        var moved = s.WriteFile("moved.csv", $"Номер заказа;Дата создания;Client ID;Статус;branch\nD-1;{Day(1)};K-1;new;north\n");
        int uploads = s.Requests("/data/orders").Count;
        var refused = s.Run(Send(moved, "Update"));
        Assert.Equal("CreateDateChanged", Assert.Single(refused.ErrorIds));
        Assert.Contains("line 2", refused.Errors[0].Exception.Message);
        Assert.Contains("Import-CrmOrder -OrderIdPrefix", refused.Errors[0].ErrorDetails.RecommendedAction);
        Assert.Equal(uploads, s.Requests("/data/orders").Count);
        // The fix it points to: with a prefix the migrated order is a new one, with its own creation date.
        Assert.Empty(s.Run(Send(moved, "Update", "-OrderIdPrefix 'm2-'")).Errors);
        Assert.Equal(Stored(1), (await s.StoredOrdersAsync(Counter)).Single(o => o.Id == "m2-D-1").CreateDateTime);
        // ...and without the journal Metrica (the sandbox) keeps the date it has.
        Assert.Empty(s.Run(Send(moved, "Update", "") + " -NoJournal").Errors);
        Assert.Equal(Stored(2), (await s.StoredOrdersAsync(Counter)).Single(o => o.Id == "D-1").CreateDateTime);

        // SAVE replaces the whole order: what is not sent is gone.
        Assert.Empty(s.Run(Send(update, "Save")).Errors);
        d1 = (await s.StoredOrdersAsync(Counter)).Single(o => o.Id == "D-1");
        Assert.Null(d1.Revenue);
        Assert.Empty(d1.Products);
    }

    [Fact]
    public async Task Statuses_outside_the_schema_and_unknown_attributes_stop_before_anything_is_sent()
    {
        await using var s = await WithSchemaAsync();
        var deals = s.WriteFile("deals.csv", $"id;create_date_time;client_uniq_id;order_status;floor\nD-1;{Day(1)};K-1;PAID;3\nD-2;{Day(1)};K-1;PAID;4\n");
        var r = s.Run($"Import-CrmOrder '{deals}' -Attribute floor | Send-MetricaOrder -CounterId {Counter} {ModuleSession.Api}");
        Assert.Equal("UnknownAttribute", Assert.Single(r.ErrorIds));
        Assert.Contains("Set-MetricaAttribute -CounterId 12345 -EntityType ORDER -Name floor", r.Errors[0].ToString());
        Assert.Empty(s.Requests("/data/orders"));

        var unknown = s.WriteFile("unknown.csv", $"id;create_date_time;client_uniq_id;order_status\nD-1;{Day(1)};K-1;shipped\nD-2;{Day(1)};K-1;PAID\n");
        var u = s.Run($"Import-CrmOrder '{unknown}' | Convert-MetricaStatus -Map @{{ shipped = 'shipped_goal' }} -Unmapped Keep | Send-MetricaOrder -CounterId {Counter} {ModuleSession.Api}");
        Assert.Equal("UnknownStatus", Assert.Single(u.ErrorIds));
        Assert.Contains("line 2", u.Errors[0].Exception.Message);
        Assert.Equal(new[] { "D-2" }, (await s.StoredOrdersAsync(Counter)).Select(o => o.Id));
    }

    [Fact]
    public async Task The_100001st_order_of_one_client_is_refused_with_its_line()
    {
        await using var s = await WithSchemaAsync();
        var rows = new System.Text.StringBuilder("id;create_date_time;client_uniq_id;order_status\n");
        string day = Day(1);
        for (int i = 1; i <= 100_001; i++) rows.Append($"O-{i};{day};K-1;PAID\n");
        rows.Append($"O-other;{day};K-2;PAID\n");
        var file = s.WriteFile("many.csv", rows.ToString());
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' | Send-MetricaOrder -CounterId {Counter} {ModuleSession.Api} -InformationVariable iv; $iv[-1].MessageData");
        Assert.Equal("TooManyOrdersForClient", Assert.Single(r.ErrorIds));
        Assert.Contains("line 100002", r.Errors[0].Exception.Message);
        Assert.Contains("O-100001", r.Errors[0].Exception.Message);
        var summary = r.Output.Last();
        Assert.Equal((100_002L, 100_001L, 1L), ((long)summary.Properties["Received"].Value, (long)summary.Properties["Sent"].Value, (long)summary.Properties["Rejected"].Value));
        Assert.Equal(100_001, s.Counter(Counter).Orders.Count);
    }
}
