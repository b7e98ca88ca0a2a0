namespace MetricaCrm.Module.Tests;

/// <summary>A bare number on a TimeSpan parameter: days for -MaxAge, refused with the forms to use elsewhere; never ticks.</summary>
public sealed class TimeSpanArgumentTests
{
    [Fact]
    public async Task MaxAge_21_is_three_weeks_not_21_ticks()
    {
        await using var s = await ModuleSession.StartAsync();
        string Day(int daysAgo) => DateTime.Now.AddDays(-daysAgo).ToString("yyyy-MM-dd HH:mm");
        var file = s.WriteFile("orders.csv", "id,create_date_time,emails,order_status\n" +
            $"A-1,{Day(2)},a@example.ru,PAID\nA-2,{Day(10)},b@example.ru,PAID\nA-3,{Day(40)},c@example.ru,PAID\n");
        var r = s.Run($"Import-CrmOrder '{file}' | Send-MetricaConversion -CounterId 7 {ModuleSession.Api} -MaxAge 21 -PassThru");
        var summary = r.Output.Last(o => o.TypeNames[0].EndsWith(".UploadSummary"));
        Assert.Equal((2L, 1L), ((long)summary.Properties["Sent"].Value, (long)summary.Properties["Skipped"].Value));
        Assert.Equal(new[] { "A-1", "A-2" }, s.Counter(7).Orders.Keys.Order());
    }

    [Theory]
    [InlineData("Send-MetricaConversion -CounterId 7 -RetryDelay 5", "RetryDelay")]
    [InlineData("Send-MetricaConversion -CounterId 7 -RequestTimeout 30", "RequestTimeout")]
    [InlineData("Send-MetricaConversion -CounterId 7 -WaitTimeout '600'", "WaitTimeout")]
    [InlineData("Resume-MetricaUpload -CounterId 7 -ListingGrace 5", "ListingGrace")]
    public async Task A_bare_number_elsewhere_is_refused_with_the_form_to_use(string command, string parameter)
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"@() | {command} -ApiBaseUri $api -Token $token");
        var error = (r.Terminating as ParameterBindingException)?.ErrorRecord ?? Assert.Single(r.Errors);
        Assert.StartsWith("ParameterArgumentTransformationError", error.FullyQualifiedErrorId);
        Assert.Contains(parameter, error.Exception.Message);
        Assert.Contains("'00:00:05'", error.Exception.Message);
        Assert.Empty(s.Sandbox.State.Requests);
    }
}
