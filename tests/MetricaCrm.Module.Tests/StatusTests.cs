using System.Text;

namespace MetricaCrm.Module.Tests;

/// <summary>Issue 4: Convert-MetricaStatus maps and modes, and the counter's status schema in the sandbox.</summary>
public sealed class StatusTests
{
    private static readonly string Orders = "id,create_date_time,emails,order_status\n" +
        $"A-1,{RecentDay} 10:00:00,a@b.ru,Оплачен\nA-2,{RecentDay} 10:00:00,b@b.ru,  NEW \nA-3,{RecentDay} 10:00:00,c@b.ru,Отменён\n" +
        $"A-4,{RecentDay} 10:00:00,d@b.ru,На удержании\nA-5,{RecentDay} 10:00:00,e@b.ru,на  удержании\nA-6,{RecentDay} 10:00:00,f@b.ru,Спорный\n";

    private static Dictionary<string, object?> ById(RunResult r) =>
        r.Output.ToDictionary<PSObject, string, object?>(o => (string)o.Properties["Id"].Value, o => o.Properties["MetricaStatus"].Value);

    [Theory]
    [InlineData("psd1", "@{\n  'оплачен' = 'PAID'\n  'New' = 'in_progress'\n  'ОТМЕНЕН' = 'canceled'\n}\n")]
    [InlineData("json", "{ \"оплачен\": \"PAID\", \"new\": \"IN_PROGRESS\", \"отменен\": \"CANCELLED\" }")]
    [InlineData("csv", "crm,metrica\nоплачен,PAID\nnew,IN_PROGRESS\nотменён,CANCELLED\n")]
    public async Task File_maps_in_every_format_match_ignoring_case_space_and_yo(string ext, string content)
    {
        await using var s = await ModuleSession.StartAsync();
        var orders = s.WriteFile("orders.csv", Orders);
        var map = s.WriteFile("map." + ext, content, new UTF8Encoding(true));
        var r = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -Map '{map}' -Unmapped Skip");
        Assert.Empty(r.Errors);
        var m = ById(r);
        Assert.Equal(new Dictionary<string, object?> { ["A-1"] = "PAID", ["A-2"] = "IN_PROGRESS", ["A-3"] = "CANCELLED" }, m);
        Assert.Equal("Оплачен", r.Output[0].Properties["OrderStatus"].Value); // the CRM status is kept
    }

    [Fact]
    public async Task Common_statuses_fill_in_and_the_explicit_map_wins()
    {
        await using var s = await ModuleSession.StartAsync();
        var orders = s.WriteFile("orders.csv", "id,create_date_time,emails,order_status\n" +
            $"A-1,{RecentDay} 10:00:00,a@b.ru,Успешно реализовано\nA-2,{RecentDay} 10:00:00,a@b.ru,Закрыто и не реализовано\n" +
            $"A-3,{RecentDay} 10:00:00,a@b.ru,won\nA-4,{RecentDay} 10:00:00,a@b.ru,в работе\nA-5,{RecentDay} 10:00:00,a@b.ru,спам\nA-6,{RecentDay} 10:00:00,a@b.ru,new\n");
        var r = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -IncludeCommonStatuses -Map @{{ new = 'callback_request' }}");
        Assert.Empty(r.Errors);
        Assert.Equal(new Dictionary<string, object?>
        {
            ["A-1"] = "PAID", ["A-2"] = "CANCELLED", ["A-3"] = "PAID", ["A-4"] = "IN_PROGRESS", ["A-5"] = "SPAM", ["A-6"] = "callback_request",
        }, ById(r));
    }

    [Fact]
    public async Task Unmapped_Error_reports_each_order_and_one_summary_warning()
    {
        await using var s = await ModuleSession.StartAsync();
        var orders = s.WriteFile("orders.csv", Orders);
        var r = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -Map @{{ 'оплачен' = 'PAID'; new = 'IN_PROGRESS'; 'отменен' = 'CANCELLED' }}");
        Assert.Equal(new[] { "UnmappedStatus", "UnmappedStatus", "UnmappedStatus" }, r.ErrorIds);
        Assert.Equal(3, r.Output.Count);
        var warning = Assert.Single(r.Warnings).Message;
        Assert.Contains("'На удержании' (2)", warning);
        Assert.Contains("'Спорный' (1)", warning);
        Assert.Contains(r.Information, i => i.MessageData.ToString() ==
            "Convert-MetricaStatus: received 6, mapped 3, sent as goal 0, kept 0, skipped 0, unmapped errors 3");
    }

    [Fact]
    public async Task Unmapped_Skip_Keep_and_Other_behave_as_named()
    {
        await using var s = await ModuleSession.StartAsync();
        var orders = s.WriteFile("orders.csv", Orders);
        const string map = "@{ 'оплачен' = 'PAID' }";
        var skip = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -Map {map} -Unmapped Skip");
        Assert.Empty(skip.Errors);
        Assert.Equal(new[] { "A-1" }, ById(skip).Keys);

        var keep = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -Map {map} -Unmapped Keep");
        Assert.Equal(6, keep.Output.Count);
        Assert.Null(ById(keep)["A-4"]);
        Assert.Equal("На удержании", keep.Output[3].Properties["OrderStatus"].Value);

        var other = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -Map {map} -Unmapped Other -OtherGoalId callback_request");
        Assert.Equal("callback_request", ById(other)["A-6"]);
        Assert.Contains("sent as goal 'callback_request'", Assert.Single(other.Warnings).Message);

        var noGoal = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -Map {map} -Unmapped Other");
        Assert.Contains("InvalidStatusMap", noGoal.ErrorIds);
        Assert.Empty(noGoal.Output);
    }

    [Fact]
    public async Task Any_object_with_a_status_property_is_converted()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run("[pscustomobject]@{ DealId = 7; Stage = 'Paid' }, @{ id = 8; 'Статус' = 'new' } | ForEach-Object { [pscustomobject]$_ } | " +
                      "Convert-MetricaStatus -Map @{ paid = 'PAID'; new = 'IN_PROGRESS' }");
        Assert.Empty(r.Errors);
        Assert.Equal("PAID", r.Output[0].Properties["MetricaStatus"].Value);
        Assert.Equal("Paid", r.Output[0].Properties["Stage"].Value);
        Assert.Equal("IN_PROGRESS", r.Output[1].Properties["MetricaStatus"].Value);
    }

    [Fact]
    public async Task Goal_check_refuses_unknown_goal_ids_before_any_order_flows()
    {
        await using var s = await ModuleSession.StartAsync();
        var orders = s.WriteFile("orders.csv", Orders);
        var bad = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -Map @{{ 'оплачен' = 'Оплата заказа' ; new = 'order_confirmed' }} -Unmapped Skip -CounterId 5 {ModuleSession.Api}");
        Assert.Contains("InvalidStatusMap", bad.ErrorIds); // a goal *name* with spaces is not an identifier at all
        var unknown = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -Map @{{ 'оплачен' = 'paid_online' }} -Unmapped Skip -CounterId 5 {ModuleSession.Api}");
        Assert.Contains("UnknownGoal", unknown.ErrorIds);
        Assert.Contains("order_confirmed", unknown.Errors.Single(e => e.FullyQualifiedErrorId.StartsWith("UnknownGoal")).Exception.Message);
        Assert.Empty(unknown.Output);
        var ok = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -Map @{{ 'оплачен' = 'order_confirmed' }} -Unmapped Skip -CounterId 5 {ModuleSession.Api}");
        Assert.Empty(ok.Errors);
        Assert.Equal("order_confirmed", ById(ok)["A-1"]);
    }

    [Fact]
    public async Task A_status_that_is_neither_type_nor_goal_of_the_counter_is_refused_before_sending()
    {
        await using var s = await ModuleSession.StartAsync();
        var orders = s.WriteFile("orders.csv", $"id,create_date_time,emails,order_status\nA-1,{DateTime.Now.AddDays(-2):yyyy-MM-dd HH:mm:ss},a@b.ru,x\n" +
            $"A-2,{DateTime.Now.AddDays(-2):yyyy-MM-dd HH:mm:ss},b@b.ru,y\n");
        // From a map: the map's entry is named and nothing at all is sent (issue 20: not row errors after other rows went).
        var r = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -Map @{{ x = 'not_a_goal'; y = 'order_confirmed' }} | Send-MetricaConversion -CounterId 9 {ModuleSession.Api}");
        Assert.Equal("StatusMapNotForCounter", Assert.Single(r.ErrorIds));
        Assert.Contains("'x' = 'not_a_goal'", r.Errors[0].Exception.Message);
        Assert.Empty(s.Counter(9).Orders.Keys);
        // A status that no map set (the row's own MetricaStatus) is refused row by row, located.
        var rows = s.Run($"[pscustomobject]@{{ id = 'A-1'; create_date_time = '{DateTime.Now.AddDays(-2):yyyy-MM-dd HH:mm:ss}'; emails = 'a@b.ru'; MetricaStatus = 'not_a_goal' }}, " +
            $"[pscustomobject]@{{ id = 'A-2'; create_date_time = '{DateTime.Now.AddDays(-2):yyyy-MM-dd HH:mm:ss}'; emails = 'b@b.ru'; MetricaStatus = 'order_confirmed' }} | Send-MetricaConversion -CounterId 9 {ModuleSession.Api}");
        Assert.Equal("StatusNotAGoal", Assert.Single(rows.ErrorIds));
        Assert.Contains("not_a_goal", rows.Errors[0].Exception.Message);
        Assert.Equal(new[] { "A-2" }, s.Counter(9).Orders.Keys);
    }

    [Fact]
    public async Task Schema_round_trip_diff_and_WhatIf()
    {
        await using var s = await ModuleSession.StartAsync();
        const string statuses = "@{ Id = 'new'; Humanized = 'New'; Type = 'IN_PROGRESS' }, " +
                                "@{ Id = 'delivery'; Humanized = 'On delivery'; Type = 'IN_PROGRESS'; GoalActionIds = 'order_confirmed' }, " +
                                "@{ Id = 'cancelled_by_client'; Humanized = 'Cancelled by client'; Type = 'CANCELLED' }";
        var whatIf = s.Run($"{statuses} | Set-MetricaOrderStatus -CounterId 3 {ModuleSession.Api} -WhatIf");
        Assert.Empty(whatIf.Errors);
        Assert.DoesNotContain(s.Requests("/schema/order_statuses"), q => q.Method == "POST");
        Assert.All(whatIf.Output, o => Assert.Equal("Add", o.Properties["Change"].Value.ToString()));

        var set = s.Run($"{statuses} | Set-MetricaOrderStatus -CounterId 3 {ModuleSession.Api} -Confirm:$false");
        Assert.Empty(set.Errors);
        var got = s.Run($"Get-MetricaOrderStatus -CounterId 3 {ModuleSession.Api}");
        Assert.Equal(new[] { "new", "delivery", "cancelled_by_client" }, got.Output.Select(o => (string)o.Properties["Id"].Value));
        Assert.Equal(new[] { "order_confirmed" }, PropertyValues.Strings(got.Output[1], "GoalActionIds"));

        var change = s.Run($"@{{ Id = 'new'; Humanized = 'New'; Type = 'IN_PROGRESS' }}, @{{ Id = 'delivery'; Humanized = 'Shipping'; Type = 'IN_PROGRESS'; GoalActionIds = 'order_confirmed' }} | " +
                           $"Set-MetricaOrderStatus -CounterId 3 {ModuleSession.Api} -Confirm:$false");
        Assert.Equal(new[] { "Unchanged", "Update" }, change.Output.Select(o => o.Properties["Change"].Value.ToString()));
        Assert.Equal("Shipping", s.Counter(3).Statuses["delivery"].Humanized);

        // A custom status id belongs to detailed orders: simplified orders refuse it before anything is sent.
        var orders = s.WriteFile("orders.csv", $"id,create_date_time,emails,order_status\nA-1,{DateTime.Now.AddDays(-2):yyyy-MM-dd HH:mm:ss},a@b.ru,Доставка\n");
        var sent = s.Run($"Import-CrmOrder '{orders}' | Convert-MetricaStatus -Map @{{ 'доставка' = 'delivery' }} -CounterId 3 {ModuleSession.Api} | Send-MetricaConversion -CounterId 3 {ModuleSession.Api}");
        Assert.Equal("StatusMapNotForCounter", Assert.Single(sent.ErrorIds));
        Assert.Contains("Send-MetricaOrder", sent.Errors[0].ToString());
        Assert.Empty(s.Requests("/data/simple_orders"));
    }

    [Fact]
    public async Task Invalid_statuses_are_refused_before_any_request()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"@{{ Id = 'ok'; Type = 'PAID' }}, @{{ Id = 'bad id'; Type = 'DONE' }} | Set-MetricaOrderStatus -CounterId 3 {ModuleSession.Api} -Confirm:$false");
        Assert.Equal("InvalidOrderStatus", Assert.Single(r.ErrorIds));
        Assert.Contains("'bad id'", r.Errors[0].Exception.Message);
        Assert.Contains("type 'DONE'", r.Errors[0].Exception.Message);
        Assert.Empty(s.Sandbox.State.Requests);

        var goal = s.Run($"@{{ Id = 'x'; Type = 'OTHER'; GoalActionIds = 'no_such_goal' }} | Set-MetricaOrderStatus -CounterId 3 {ModuleSession.Api} -Confirm:$false");
        Assert.Equal("UnknownGoal", Assert.Single(goal.ErrorIds));
        Assert.Empty(s.Requests("/schema/order_statuses"));
    }
}
