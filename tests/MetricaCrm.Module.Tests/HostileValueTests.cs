namespace MetricaCrm.Module.Tests;

/// <summary>What the import makes of values that would otherwise be rewritten into other values: located errors.</summary>
public sealed class HostileValueTests
{
    [Fact]
    public async Task An_amount_marked_with_another_currency_than_the_row_is_a_located_error()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", "id,create_date_time,emails,revenue,currency\n" +
            "A-1,2026-10-02 10:00,a@example.ru,100 USD,RUB\nA-2,2026-10-02 10:00,a@example.ru,100 USD,USD\n" +
            "A-3,2026-10-02 10:00,a@example.ru,50 €,\nA-4,2026-10-02 10:00,a@example.ru,1e3,RUB\nA-5,2026-10-02 10:00,a@example.ru,99 руб.,\n");
        var r = s.Run($"Import-CrmOrder '{file}'");
        Assert.Equal(new[] { "A-2", "A-5" }, r.Output.Select(o => (string)o.Properties["Id"].Value));
        Assert.Equal(new[] { "CurrencyMismatch", "CurrencyMismatch", "InvalidAmount" }, r.ErrorIds);
        Assert.Contains("line 2", r.Errors[0].Exception.Message);
        Assert.Contains("'revenue'", r.Errors[0].Exception.Message);
        Assert.Contains("'100 USD'", r.Errors[0].Exception.Message);
        Assert.Contains("row without a currency is RUB", r.Errors[1].Exception.Message);
    }

    [Fact]
    public async Task A_script_block_or_a_throwing_getter_on_a_pipeline_object_rejects_it()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run("""
            $good = [pscustomobject]@{ Id = 'P-1'; create_date_time = '2026-10-02 10:00'; Emails = 'a@example.ru' }
            $code = [pscustomobject]@{ Id = { 'P-2' }; create_date_time = '2026-10-02 10:00'; Emails = 'b@example.ru' }
            $throws = [pscustomobject]@{ Id = 'P-3'; create_date_time = '2026-10-02 10:00' }
            $throws.PSObject.Properties.Add([psscriptproperty]::new('Emails', { throw 'CRM connection lost' }))
            $good, $code, $throws | Import-CrmOrder
            """);
        Assert.Equal(new[] { "P-1" }, r.Output.Select(o => (string)o.Properties["Id"].Value));
        Assert.Equal(new[] { "InvalidPropertyValue", "UnreadableProperty" }, r.ErrorIds);
        Assert.Contains("'Id'", r.Errors[0].Exception.Message);
        Assert.Contains("script block", r.Errors[0].Exception.Message);
        Assert.Contains("'Emails'", r.Errors[1].Exception.Message);
        Assert.Contains("CRM connection lost", r.Errors[1].Exception.Message);
    }

    [Fact]
    public async Task An_Excel_ClientID_in_scientific_notation_is_one_error_for_the_cell_and_a_short_number_is_no_ClientID()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", "id;create_date_time;client_ids;emails\n" +
            "X-1;2026-10-02 10:00;1,76405E+18;\nX-2;2026-10-02 10:00;1;\nX-3;2026-10-02 10:00;133591247640966458;\n");
        var r = s.Run($"Import-CrmOrder '{file}'");
        Assert.Equal(new[] { "X-3" }, r.Output.Select(o => (string)o.Properties["Id"].Value));
        Assert.Equal(new[] { "InvalidClientId", "InvalidClientId" }, r.ErrorIds);
        Assert.Contains("'1,76405E+18'", r.Errors[0].Exception.Message);
        Assert.Contains("formatted as text", r.Errors[0].Exception.Message);
        Assert.Contains("10 to 20 digits", r.Errors[1].Exception.Message);
    }
}
