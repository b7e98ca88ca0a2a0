using System.Xml.Linq;

namespace MetricaCrm.Module.Tests;

/// <summary>Parameter validation before any row, -Force, completers, format views and the one version number.</summary>
public sealed class ConventionsTests
{
    private static readonly string Orders = $"id,create_date_time,emails,order_status\nA-1,{RecentDay} 10:00:00,a@b.ru,paid\n";

    [Fact]
    public async Task An_unknown_time_zone_stops_the_import_before_any_row()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders);
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone 'Mars/Olympus_Mons'");
        Assert.Empty(r.Output);
        Assert.Equal("ParameterArgumentValidationError", Assert.Single(r.ErrorIds));
        Assert.Contains("Mars/Olympus_Mons", r.Errors[0].Exception.Message);
        Assert.Contains("TimeZone", r.Errors[0].Exception.Message);
    }

    [Theory]
    [InlineData("-Currency 'RUBLES'")]
    [InlineData("-Encoding 'no-such-encoding'")]
    [InlineData("-DefaultRegion 'XX'")]
    public async Task Bad_import_options_fail_while_binding(string option)
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders);
        var r = s.Run($"Import-CrmOrder '{file}' {option}");
        Assert.Empty(r.Output);
        Assert.Equal("ParameterArgumentValidationError", Assert.Single(r.ErrorIds));
    }

    [Theory]
    [InlineData("-RetryDelay '-00:00:01'")]
    [InlineData("-PollInterval '00:00:00' -Wait")]
    [InlineData("-MaxAge '-1.00:00:00'")]
    public async Task A_negative_or_zero_time_span_fails_before_anything_is_read_or_sent(string option)
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders);
        var r = s.Run($"Import-CrmOrder '{file}' | Convert-MetricaStatus -Map @{{ paid = 'PAID' }} | Send-MetricaConversion -CounterId 5 -ApiBaseUri $api -Token $token {option}");
        Assert.Equal("ParameterArgumentValidationError", Assert.Single(r.ErrorIds));
        Assert.Empty(s.Sandbox.State.Requests);
    }

    [Fact]
    public async Task Force_skips_the_confirmation_of_Set_MetricaOrderStatus_but_not_WhatIf()
    {
        await using var s = await ModuleSession.StartAsync();
        const string status = "@{ Id = 'paid_online'; Humanized = 'Paid online'; Type = 'PAID' }";
        // No host to answer the ConfirmImpact=High prompt: without -Force the command cannot go on.
        var prompted = s.Run($"{status} | Set-MetricaOrderStatus -CounterId 5 {ModuleSession.Api}");
        Assert.True(prompted.Errors.Count > 0 || prompted.Terminating != null);
        Assert.Empty(s.Requests("/schema/order_statuses").Where(q => q.Method == "POST"));

        var whatIf = s.Run($"{status} | Set-MetricaOrderStatus -CounterId 5 {ModuleSession.Api} -Force -WhatIf");
        Assert.Empty(whatIf.Errors);
        Assert.Empty(s.Requests("/schema/order_statuses").Where(q => q.Method == "POST"));

        var forced = s.Run($"{status} | Set-MetricaOrderStatus -CounterId 5 {ModuleSession.Api} -Force");
        Assert.Empty(forced.Errors);
        Assert.Single(s.Requests("/schema/order_statuses").Where(q => q.Method == "POST"));
        Assert.Equal("paid_online", Assert.Single(s.Run($"Get-MetricaOrderStatus -CounterId 5 {ModuleSession.Api}").Output).Properties["Id"].Value);
    }

    [Theory]
    [InlineData("Import-CrmOrder x.csv -TimeZone Europe/Mosc", "Europe/Moscow")]
    [InlineData("Send-MetricaOrder -CounterTimeZone Asia/Yekat", "Asia/Yekaterinburg")]
    [InlineData("Import-CrmOrder x.csv -Currency RU", "RUB")]
    [InlineData("Import-CrmClient x.csv -Encoding windows", "windows-1251")]
    public async Task Completers_offer_zones_currencies_and_encodings(string line, string expected)
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run("param($line) [System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches", line);
        Assert.Contains(r.Output, m => (string)m.Properties["CompletionText"].Value == expected);
    }

    [Fact]
    public async Task Every_output_type_of_the_module_has_a_format_view()
    {
        await using var s = await ModuleSession.StartAsync();
        var types = s.Run("(Get-Command -Module MetricaCrm).OutputType.Type.FullName").Output.Select(o => (string)o.BaseObject).Distinct()
            .Where(t => t.StartsWith("MetricaCrm.", StringComparison.Ordinal)).ToList();
        var format = XDocument.Load(Path.Combine(Path.GetDirectoryName(ModuleSession.ModulePath)!, "MetricaCrm.Format.ps1xml"));
        var viewed = format.Descendants("TypeName").Select(t => t.Value).ToHashSet();
        Assert.Contains("MetricaCrm.Commands.ConnectionCheck", types);
        Assert.Empty(types.Where(t => !viewed.Contains(t)));
    }

    [Fact]
    public async Task The_module_assembly_and_the_manifest_share_one_version()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run("(Get-Module MetricaCrm).Version.ToString(3); (Get-Command Connect-Metrica).ImplementingType.Assembly.GetName().Version.ToString(3)");
        Assert.Equal(2, r.Output.Count);
        Assert.Equal(r.Output[0].BaseObject, r.Output[1].BaseObject);
    }
}
