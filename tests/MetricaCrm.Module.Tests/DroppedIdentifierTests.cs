using System.Net.Http.Json;
using MetricaCrm.Sandbox.Cdp;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// Issue 21: one bad identifier among good ones is left out with a warning and the record is sent without it; a row
/// left with no usable identifier is rejected as before; Metrica's documentation example numbers are stored as written.
/// </summary>
public sealed class DroppedIdentifierTests
{
    private const long Counter = 12345;
    private static readonly string Day = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd HH:mm:ss");

    private static string Orders(ModuleSession s) => s.WriteFile("orders.csv",
        "id,create_date_time,client_ids,emails,phones,order_status\n" +
        $"A-1,{Day},42,a1@example.ru,\"+7 999 555-11-11, 12345, 8 (912) 345-67-89\",paid\n" + // a bad phone and a bad ClientID
        $"A-2,{Day},,,12345,paid\n" +                                                            // its only identifier is bad
        $"A-3,{Day},,,\"78005553535, 73449932378\",paid\n");                                   // the contacts example's phones

    [Fact]
    public async Task A_bad_phone_and_ClientID_beside_good_identifiers_are_left_out_with_a_warning_and_the_order_sent()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = Orders(s);
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone UTC | Convert-MetricaStatus -Map @{{ paid = 'PAID' }} | " +
                      $"Send-MetricaConversion -CounterId {Counter} {ModuleSession.Api} -PassThru");

        Assert.Null(r.Terminating);
        var rejected = Assert.Single(r.Errors);
        Assert.Equal("InvalidPhone,MetricaCrm.Commands.ImportCrmOrderCommand", rejected.FullyQualifiedErrorId);
        Assert.Contains($"{file}, line 3: column 'phones', value '12345'", rejected.Exception.Message);

        var warning = Assert.Single(r.Warnings, w => w.Message.Contains("left out"));
        Assert.StartsWith($"{file}, line 2: left out column 'client_ids', value '42': a Metrica ClientID of 10 to 20 digits", warning.Message);
        Assert.Contains("[InvalidClientId]; column 'phones', value '12345': a phone number of a length the RU numbering plan allows (this one has 5 digits after +7, too short) [InvalidPhone]", warning.Message);

        var stored = await s.StoredOrdersAsync(Counter);
        Assert.Equal(new[] { "A-1", "A-3" }, stored.Select(o => o.Id));
        var a1 = stored[0];
        Assert.Empty(a1.ClientIds);
        Assert.Equal(new[] { "a1@example.ru" }, a1.Emails);
        Assert.Equal(new[] { "79995551111", "79123456789" }, a1.Phones);
        Assert.Empty(a1.PhonesMd5);
        Assert.Equal("PAID", a1.OrderStatus);
        Assert.Equal(new[] { "78005553535", "73449932378" }, stored[1].Phones);

        // Counts reconcile: the order with a value left out is one emitted and one sent record; the warning is extra.
        Assert.Contains(r.Information, i => i.MessageData.ToString() == "read 3 rows, emitted 2, rejected 1; 1 emitted with 2 value(s) left out (see the warnings)");
        var summary = r.Output.Last(o => o.TypeNames[0].EndsWith(".UploadSummary"));
        Assert.Equal(2L, summary.Properties["Sent"].Value);
    }

    /// <summary>The Send cmdlets read plain objects with the Import rules: the same warning, and the record sent.</summary>
    [Fact]
    public async Task A_hashtable_sent_directly_is_sent_without_its_bad_phone_with_the_same_warning()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"@{{ id = 'H-1'; create_date_time = '{Day}'; emails = 'h1@example.ru'; phones = '12345'; order_status = 'paid' }}, " +
            $"@{{ id = 'H-2'; create_date_time = '{Day}'; phones = '12345'; order_status = 'paid' }} | " +
            $"Convert-MetricaStatus -Map @{{ paid = 'PAID' }} | Send-MetricaConversion -CounterId {Counter} {ModuleSession.Api}");
        Assert.Equal("InvalidPhone", Assert.Single(r.ErrorIds));
        var warning = Assert.Single(r.Warnings, w => w.Message.Contains("left out"));
        Assert.StartsWith("pipeline object, line 1: left out column 'phones', value '12345'", warning.Message);
        var stored = Assert.Single(await s.StoredOrdersAsync(Counter));
        Assert.Equal(("H-1", "h1@example.ru"), (stored.Id, Assert.Single(stored.Emails)));
        Assert.Empty(stored.Phones);
    }

    [Fact]
    public async Task Explain_shows_per_record_which_identifier_was_left_out_and_why()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"Import-CrmOrder '{Orders(s)}' -TimeZone UTC -Explain -ErrorAction SilentlyContinue -WarningAction SilentlyContinue");
        var a1 = r.Output.Single(o => (string)o.Properties["Id"].Value == "A-1");
        var lines = ((IEnumerable<string>)a1.Properties["Explanation"].Value).ToArray();
        Assert.Contains("client_ids: '42' left out: a Metrica ClientID of 10 to 20 digits (such as 133591247640966458); a shorter number is no visitor's [InvalidClientId]", lines);
        Assert.Contains(lines, l => l.StartsWith("phones: '12345' left out: a phone number of a length the RU numbering plan allows") && l.EndsWith("[InvalidPhone]"));
        var a3 = r.Output.Single(o => (string)o.Properties["Id"].Value == "A-3");
        Assert.Contains(((IEnumerable<string>)a3.Properties["Explanation"].Value), l => l.StartsWith("phones: '73449932378' -> '73449932378' (possible number kept"));
    }

    [Fact]
    public async Task Contacts_keep_the_documentation_example_phones_and_drop_a_bad_email_beside_them()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("contacts.csv", "uniq_id,name,emails,phones\n" +
            "J3QQ4-H7H2V-2HCH4-M3HK8-6M8VW,Иванов И.,exampl1@example.com,\"78005553535,73449932378\"\n" +
            "K-2,Анна,anna@@example.com,+7 999 555 22 22\n" +
            "K-3,Пётр,,12\n");
        var r = s.Run($"Import-CrmClient '{file}' | Send-MetricaContact -CounterId {Counter} {ModuleSession.Api}");

        Assert.Equal("InvalidPhone", Assert.Single(r.ErrorIds)); // K-3: its only identifier is bad
        var warning = Assert.Single(r.Warnings, w => w.Message.Contains("left out"));
        Assert.StartsWith($"{file}, line 3: left out column 'emails', value 'anna@@example.com'", warning.Message);
        var stored = (await s.Http.GetFromJsonAsync<List<StoredContact>>($"/sandbox/counters/{Counter}/contacts"))!;
        Assert.Equal(new[] { "J3QQ4-H7H2V-2HCH4-M3HK8-6M8VW", "K-2" }, stored.Select(c => c.UniqId).Order());
        Assert.Equal("78005553535,73449932378", stored.Single(c => c.UniqId.StartsWith("J3QQ4")).Fields["phones"]);
        var k2 = stored.Single(c => c.UniqId == "K-2");
        Assert.Equal("79995552222", k2.Fields["phones"]);
        Assert.False(k2.Fields.ContainsKey("emails"));
    }

    [Fact]
    public async Task A_call_keeps_the_documentation_number_and_goes_without_a_bad_one()
    {
        await using var s = await ModuleSession.StartAsync();
        long epoch = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
        var file = s.WriteFile("calls.csv", "ClientId,DateTime,PhoneNumber,Tag\n" +
            $"133591247640966458,{epoch},+70123456789,docs\n" +
            $"133591247640966459,{epoch},12345,bad number\n");
        var r = s.Run($"Import-CrmCall '{file}' | Send-MetricaCall -CounterId {Counter} {ModuleSession.Api} -NewGoalName calls");

        Assert.Empty(r.Errors);
        var warning = Assert.Single(r.Warnings, w => w.Message.Contains("left out"));
        Assert.StartsWith($"{file}, line 3: left out column 'PhoneNumber', value '12345'", warning.Message);
        var calls = s.Counter(Counter).Offline.Calls.Values.OrderBy(c => c.ClientId).ToList();
        Assert.Equal(new[] { "133591247640966458", "133591247640966459" }, calls.Select(c => c.ClientId));
        Assert.Equal("+70123456789", calls[0].PhoneNumber);
        Assert.Null(calls[1].PhoneNumber);
        Assert.Equal("bad number", calls[1].Tag);
    }
}
