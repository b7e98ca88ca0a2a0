namespace MetricaCrm.Module.Tests;

/// <summary>
/// Metrica's own JSON shapes of goals and products (the docs' order example: goals [{goal_action_id, price}], products
/// {pear: 10, apple: 30}) on pipeline objects, as ConvertFrom-Json or a hashtable gives them: read, never dropped.
/// </summary>
public sealed class MetricaShapeTests
{
    private static string Created => DateTime.Now.AddDays(-1).ToString("yyyy-MM-dd HH:mm:ss");

    [Theory]
    [InlineData("[pscustomobject]@{ goal_action_id = 'g1'; price = 123.5 }", "[pscustomobject]@{ pear = 10; apple = 30 }")] // ConvertFrom-Json's objects
    [InlineData("@{ goal_action_id = 'g1'; price = 123.5 }", "[ordered]@{ pear = 10; apple = 30 }")]
    public async Task Goals_and_products_in_Metricas_shape_are_read(string goal, string products)
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"[pscustomobject]@{{ id = 'J-1'; client_uniq_id = 'K-1'; create_date_time = '{Created}'; order_status = 'paid'; goals = @({goal}); products = {products} }} | Import-CrmOrder");
        Assert.Empty(r.Errors);
        var order = Assert.Single(r.Output);
        Assert.Equal(new[] { "g1:123.5" }, PropertyValues.Strings(order, "Goals"));
        var items = ((System.Collections.IEnumerable)order.Properties["Products"].Value).Cast<object>().Select(p => p.ToString()).ToList();
        Assert.Equal(2, items.Count);
        Assert.Contains(items, p => p!.Contains("pear") && p.Contains("10"));
        Assert.Contains(items, p => p!.Contains("apple") && p.Contains("30"));
    }

    [Fact]
    public async Task An_object_of_another_shape_in_a_goals_field_is_a_located_error()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"[pscustomobject]@{{ id = 'J-2'; client_uniq_id = 'K-1'; create_date_time = '{Created}'; goals = @([pscustomobject]@{{ name = 'g1'; reached = 'yes' }}) }} | Import-CrmOrder");
        Assert.Empty(r.Output);
        Assert.Equal("InvalidGoal", Assert.Single(r.ErrorIds));
        Assert.Contains("name=g1", r.Errors[0].Exception.Message);
    }
}
