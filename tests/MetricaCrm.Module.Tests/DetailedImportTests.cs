namespace MetricaCrm.Module.Tests;

/// <summary>Issue 7, import side: every contact and order field, custom attributes, order lines, CRM client ids, text limits.</summary>
public sealed class DetailedImportTests
{
    private static string Day(int daysAgo) => DateTime.Now.AddDays(-daysAgo).ToString("dd.MM.yyyy HH:mm");

    [Fact]
    public async Task A_Client_ID_column_of_CRM_ids_is_read_as_the_client_uniq_id_and_verbose_says_so()
    {
        await using var s = await ModuleSession.StartAsync();
        var deals = s.WriteFile("deals.csv", $"Deal ID;Created;Client ID;Stage\nD-1;{Day(2)};K-17;paid\nD-2;{Day(2)};K-18;new\n");
        var r = s.Run($"Import-CrmOrder '{deals}' -Verbose");
        Assert.Empty(r.Errors);
        Assert.Equal(new[] { "K-17", "K-18" }, r.Output.Select(o => (string)o.Properties["ClientUniqId"].Value));
        Assert.Contains(r.Verbose, v => v.Message.Contains("column 'Client ID' read as the CRM's client id (client_uniq_id)"));

        var visitors = s.WriteFile("visits.csv", $"Deal ID;Created;Client ID;Stage\nD-1;{Day(2)};133591247640966458;paid\n");
        var m = s.Run($"Import-CrmOrder '{visitors}' -Verbose");
        Assert.Empty(m.Errors);
        Assert.Equal(new[] { "133591247640966458" }, PropertyValues.Strings(Assert.Single(m.Output), "ClientIds"));
        Assert.Contains(m.Verbose, v => v.Message.Contains("read as Metrica ClientIDs"));
    }

    [Fact]
    public async Task Import_CrmClient_reads_every_contact_field_and_named_attributes()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("contacts.csv",
            "ID клиента;ФИО;Дата рождения;Дата создания;Телефон;E-mail;Компания ID;Комментарий;shoe_size;segment;ignored\n" +
            $"K-1;Иван Петров;01.05.1990;{Day(30)};8 999 555 11 11;Ivan@Mail.ru;F-9;постоянный;42;vip;x\n" +
            $"K-2;Без атрибутов;;{Day(30)};;;;;;;\n");
        var r = s.Run($"Import-CrmClient '{file}' -Attribute shoe_size, segment -TimeZone 'Europe/Moscow'");
        Assert.Empty(r.Errors);
        var c = r.Output[0];
        Assert.Equal("K-1", c.Properties["UniqId"].Value);
        Assert.Equal(new DateTime(1990, 5, 1), c.Properties["BirthDate"].Value);
        Assert.Equal("F-9", c.Properties["CompanyUniqId"].Value);
        Assert.Equal("постоянный", c.Properties["UserComment"].Value);
        var attributes = (System.Collections.IDictionary)c.Properties["Attributes"].Value;
        Assert.Equal("42", attributes["shoe_size"]);
        Assert.Equal("vip", attributes["segment"]);
        Assert.Equal(2, attributes.Count);
        Assert.Empty((System.Collections.IDictionary)r.Output[1].Properties["Attributes"].Value);

        var bad = s.Run($"Import-CrmClient '{file}' -Attribute 'shoe size'");
        Assert.Equal("InvalidArgument", Assert.Single(bad.ErrorIds));
    }

    [Fact]
    public async Task Order_lines_join_their_orders_and_orphans_are_located_errors()
    {
        await using var s = await ModuleSession.StartAsync();
        var orders = s.WriteFile("deals.csv", $"id;create_date_time;client_uniq_id;order_status;products\nD-1;{Day(1)};K-1;paid;gift:1\nD-2;{Day(1)};K-2;new;\n");
        var lines = s.WriteFile("lines.csv", "Номер заказа;Товар;Количество\nD-1;pear;2\nD-1;apple;1\nD-1;pear;3\nD-9;plum;1\nD-2;bad name!;1\n");
        var rejects = Path.Combine(s.WorkDir, "rejects.csv");
        var r = s.Run($"Import-CrmOrder '{orders}' -ItemsPath '{lines}' -RejectPath '{rejects}' -InformationVariable iv; $iv[-1].MessageData");
        Assert.Equal(new[] { "InvalidProduct", "OrphanOrderLine" }, r.ErrorIds);
        Assert.Contains("line 6", r.Errors[0].Exception.Message);
        Assert.Contains("line 5", r.Errors[1].Exception.Message);
        Assert.Contains(lines, r.Errors[1].Exception.Message);
        var d1 = r.Output[0];
        Assert.Equal(new[] { "gift:1", "pear:5", "apple:1" }, ((System.Collections.IEnumerable)d1.Properties["Products"].Value).Cast<object>().Select(p => p.ToString()));
        var summary = r.Output.Last();
        Assert.Equal(5L, summary.Properties["OrderLinesRead"].Value);
        Assert.Equal(3L, summary.Properties["OrderLinesJoined"].Value);
        Assert.Equal(2L, summary.Properties["OrderLinesRejected"].Value);
        Assert.Contains("D-9", File.ReadAllText(rejects));
    }

    [Fact]
    public async Task A_huge_or_binary_id_is_a_located_error_for_that_row_only()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", "id,create_date_time,emails,order_status\n" +
            new string('9', 300) + $",{Day(1)},a@b.ru,paid\nA\0B,{Day(1)},b@b.ru,paid\nA-3,{Day(1)},c@b.ru,paid\n");
        var r = s.Run($"Import-CrmOrder '{file}'");
        Assert.Equal(new[] { "TextTooLong", "ControlCharacter" }, r.ErrorIds);
        Assert.Contains("line 2", r.Errors[0].Exception.Message);
        Assert.Contains("at most 255 characters", r.Errors[0].Exception.Message);
        Assert.Equal(new[] { "A-3" }, r.Output.Select(o => (string)o.Properties["Id"].Value));
    }

    [Fact]
    public async Task WhatIf_on_the_detailed_sends_asks_Metrica_nothing()
    {
        await using var s = await ModuleSession.StartAsync();
        var contacts = s.WriteFile("contacts.csv", $"uniq_id,name,emails\nK-1,Иван,a@b.ru\n");
        var orders = s.WriteFile("orders.csv", $"id,create_date_time,client_uniq_id,order_status\nD-1,{Day(1)},K-1,PAID\n");
        var r = s.Run($"Import-CrmClient '{contacts}' | Send-MetricaContact -CounterId 5 {ModuleSession.Api} -WhatIf; " +
                      $"Import-CrmOrder '{orders}' | Send-MetricaOrder -CounterId 5 -Format Json {ModuleSession.Api} -WhatIf");
        Assert.Empty(r.Errors);
        Assert.Empty(s.Sandbox.State.Requests);
        Assert.Equal(2, r.Information.Count(i => i.MessageData.ToString()!.Contains("not sent (declined or -WhatIf) 1")));
    }
}
