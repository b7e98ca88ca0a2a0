namespace MetricaCrm.Sandbox.Tests;

/// <summary>schema/order_statuses (mapOrderStatuses, getOrderStatuses): each rule broken by a raw request.</summary>
public sealed class OrderStatusRules
{
    private const string Statuses = "/cdp/api/v1/counter/5/schema/order_statuses";

    [Theory]
    [InlineData("{\"order_statuses\":[", "invalid_json", "Malformed JSON")]
    [InlineData("{\"statuses\":[]}", "missing_parameter", "order_statuses")]
    [InlineData("{\"order_statuses\":[{\"humanized\":\"Новый\",\"type\":\"IN_PROGRESS\"}]}", "invalid_parameter", "id")]
    [InlineData("{\"order_statuses\":[{\"id\":5,\"type\":\"IN_PROGRESS\"}]}", "invalid_parameter", "id")]
    [InlineData("{\"order_statuses\":[{\"id\":\"new\",\"type\":\"DONE\"}]}", "invalid_parameter", "type=DONE")]
    [InlineData("{\"order_statuses\":[{\"id\":\"new\",\"type\":\"in_progress\"}]}", "invalid_parameter", "type=in_progress")]
    [InlineData("{\"order_statuses\":[{\"id\":\"new\"}]}", "invalid_parameter", "type=")]
    [InlineData("{\"order_statuses\":[{\"id\":\"new\",\"type\":\"IN_PROGRESS\",\"goal_action_ids\":\"no_such_goal\"}]}", "invalid_parameter", "no_such_goal")]
    [InlineData("{\"order_statuses\":[{\"id\":\"new\",\"type\":\"IN_PROGRESS\",\"goal_action_ids\":5}]}", "invalid_parameter", "goal_action_ids")]
    public async Task Mapping_rules(string body, string type, string message)
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Statuses, SandboxClient.Json(body)), 400, type, message);
        Assert.Equal(0, (await s.GetAsync(Statuses)).Body.GetProperty("order_statuses").GetArrayLength());
    }

    [Fact]
    public async Task A_refused_mapping_stores_none_of_its_statuses()
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Statuses, SandboxClient.Json(
            "{\"order_statuses\":[{\"id\":\"new\",\"type\":\"IN_PROGRESS\"},{\"id\":\"bad\",\"type\":\"NONE\"}]}")), 400, "invalid_parameter", "type=NONE");
        Assert.Equal(0, (await s.GetAsync(Statuses)).Body.GetProperty("order_statuses").GetArrayLength());
    }

    [Fact]
    public async Task Every_type_maps_goals_come_as_a_string_or_an_array_and_a_second_mapping_replaces_an_id()
    {
        await using var s = await SandboxClient.StartAsync();
        var r = await s.PostAsync(Statuses, SandboxClient.Json("{\"order_statuses\":[" +
            "{\"id\":\"new\",\"humanized\":\"Новый\",\"type\":\"IN_PROGRESS\"},{\"id\":\"paid\",\"type\":\"PAID\",\"goal_action_ids\":[\"order_confirmed\",\"callback_request\"]}," +
            "{\"id\":\"spam\",\"type\":\"SPAM\"},{\"id\":\"cancel\",\"type\":\"CANCELLED\"},{\"id\":\"other\",\"type\":\"OTHER\",\"goal_action_ids\":\"order_confirmed\"}]}"));
        Assert.Equal(200, r.Status);
        Assert.True(r.Body.GetProperty("success").GetBoolean());
        Assert.Equal(200, (await s.PostAsync(Statuses, SandboxClient.Json("{\"order_statuses\":[{\"id\":\"new\",\"humanized\":\"Новая заявка\",\"type\":\"SPAM\"}]}"))).Status);
        var read = (await s.GetAsync(Statuses)).Body.GetProperty("order_statuses").EnumerateArray()
            .ToDictionary(x => x.GetProperty("id").GetString()!, x => (x.GetProperty("type").GetString(), x.GetProperty("humanized").GetString(), x.GetProperty("goal_action_ids").GetString()));
        Assert.Equal(5, read.Count);
        Assert.Equal(("SPAM", "Новая заявка", (string?)null), read["new"]);
        Assert.Equal(("PAID", (string?)null, "order_confirmed,callback_request"), read["paid"]);
        Assert.Equal("OTHER", read["other"].Item1);
    }
}
