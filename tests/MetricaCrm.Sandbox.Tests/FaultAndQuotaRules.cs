using System.Net.Http.Json;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>Injected faults and Metrica's quotas, each observed from a raw request.</summary>
public sealed class FaultAndQuotaRules
{
    private const string Orders = "/cdp/api/v1/counter/5/data/simple_orders?merge_mode=SAVE";
    private const string Counter = "/management/v1/counter/5";
    private static string OrderCsv => $"id,create_date_time,emails\nA-1,{DateTime.Now.AddDays(-1):yyyy-MM-dd HH:mm:ss},a@b.ru\n";

    /// <summary>
    /// One request on a connection of its own (HttpClient silently repeats a request that failed on a reused connection),
    /// given up after <paramref name="timeout"/>. Status 0: no answer came.
    /// </summary>
    private static async Task<int> SendOnceAsync(SandboxClient s, HttpMethod method, string path, HttpContent? content = null, TimeSpan? timeout = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.ConnectionClose = true;
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            using var response = await s.Http.SendAsync(request, cts.Token);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException) { return 0; }
        catch (OperationCanceledException) when (cts.IsCancellationRequested) { return 0; }
    }

    private static async Task<StoredOrder[]> StoredOrdersAsync(SandboxClient s) =>
        (await s.Http.GetFromJsonAsync<StoredOrder[]>("/sandbox/counters/5/orders"))!;

    /// <summary>Waits until the sandbox has logged <paramref name="count"/> requests (an unanswered one is logged when the client leaves).</summary>
    private static async Task<RecordedRequest[]> RequestsAsync(SandboxClient s, int count)
    {
        for (int i = 0; i < 200 && s.State.Requests.Count < count; i++) await Task.Delay(50);
        return s.State.Requests.ToArray();
    }

    [Theory]
    [InlineData(429, 1, "quota_requests_by_ip")]
    [InlineData(429, null, "quota_requests_by_ip")]
    [InlineData(500, null, "backend_error")]
    [InlineData(502, null, "backend_error")]
    [InlineData(503, null, "backend_error")]
    [InlineData(504, null, "timeout")]
    public async Task Status_fault_answers_in_Metricas_envelope(int status, int? retryAfter, string errorType)
    {
        await using var s = await SandboxClient.StartAsync();
        s.State.AddFault(new FaultRule { PathContains = "counter/5", Status = status, RetryAfterSeconds = retryAfter });
        using var response = await s.Http.GetAsync(Counter);
        Assert.Equal(retryAfter, (int?)response.Headers.RetryAfter?.Delta?.TotalSeconds);
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        SandboxClient.AssertError(((int)response.StatusCode, body), status, errorType);
        Assert.Equal(retryAfter == null ? $"{status}" : $"{status}-retry-after", Assert.Single(s.State.Requests).Fault);
        Assert.Equal(200, (await s.GetAsync(Counter)).Status);
    }

    [Fact]
    public async Task Connection_dropped_before_applied_stores_nothing()
    {
        await using var s = await SandboxClient.StartAsync();
        s.State.AddFault(new FaultRule { PathContains = "simple_orders", DropConnection = true });
        Assert.Equal(0, await SendOnceAsync(s, HttpMethod.Post, Orders, SandboxClient.CsvFile(OrderCsv)));
        Assert.Empty(await StoredOrdersAsync(s));
        var logged = Assert.Single(s.State.Requests);
        Assert.Equal((0, "drop-before-applied"), (logged.Status, logged.Fault));
    }

    [Fact]
    public async Task Connection_dropped_after_applied_stores_the_data_the_client_never_hears_of()
    {
        await using var s = await SandboxClient.StartAsync();
        s.State.AddFault(new FaultRule { PathContains = "simple_orders", DropAfterApplied = true });
        Assert.Equal(0, await SendOnceAsync(s, HttpMethod.Post, Orders, SandboxClient.CsvFile(OrderCsv)));
        Assert.Equal("A-1", Assert.Single(await StoredOrdersAsync(s)).Id);
        Assert.Single((await s.GetAsync("/cdp/api/v1/counter/5/last_uploadings")).Body.GetProperty("uploadings").EnumerateArray());
        var logged = s.State.Requests.First();
        Assert.Equal((0, "drop-after-applied"), (logged.Status, logged.Fault));
    }

    [Fact]
    public async Task No_response_holds_the_request_until_the_client_gives_up_and_stores_nothing()
    {
        await using var s = await SandboxClient.StartAsync();
        s.State.AddFault(new FaultRule { PathContains = "simple_orders", NoResponse = true });
        var started = DateTime.UtcNow;
        Assert.Equal(0, await SendOnceAsync(s, HttpMethod.Post, Orders, SandboxClient.CsvFile(OrderCsv), TimeSpan.FromSeconds(1)));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1));
        var logged = Assert.Single(await RequestsAsync(s, 1));
        Assert.Equal((0, "no-response"), (logged.Status, logged.Fault));
        Assert.Empty(await StoredOrdersAsync(s));
    }

    [Fact]
    public async Task Random_faults_come_at_the_rate_in_every_kind_and_repeat_with_the_seed()
    {
        async Task<string?[]> RunAsync()
        {
            await using var s = await SandboxClient.StartAsync(new SandboxOptions { FaultRate = 0.3, FaultSeed = 7 });
            for (int i = 0; i < 200; i++)
            {
                await SendOnceAsync(s, HttpMethod.Get, Counter, timeout: TimeSpan.FromSeconds(1));
                await RequestsAsync(s, i + 1); // logged in the order they came, so two runs compare
            }
            return s.State.Requests.Select(r => r.Fault).ToArray();
        }

        var first = await RunAsync();
        Assert.Equal(200, first.Length);
        Assert.InRange(first.Count(f => f != null), 40, 80);
        Assert.Equal(
            new[] { "429", "429-retry-after", "500", "502", "503", "504", "drop-after-applied", "drop-before-applied", "no-response" },
            first.OfType<string>().Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(first, await RunAsync());
    }

    [Fact]
    public async Task Random_faults_are_set_at_run_time_and_explicit_rules_go_first()
    {
        await using var s = await SandboxClient.StartAsync();
        Assert.Equal(200, (await s.PostAsync("/sandbox/faults", SandboxClient.Json("""{"pathContains":"counter/5","status":500}"""))).Status);
        Assert.Equal(200, (await s.PostAsync("/sandbox/faults", SandboxClient.Json("""{"rate":1,"seed":3}"""))).Status);
        Assert.Equal(500, (await s.GetAsync(Counter)).Status);
        Assert.NotEqual(200, await SendOnceAsync(s, HttpMethod.Get, Counter, timeout: TimeSpan.FromSeconds(1)));
        Assert.Equal(400, (await s.PostAsync("/sandbox/faults", SandboxClient.Json("""{"rate":1.5}"""))).Status);
        Assert.Equal(200, (await s.PostAsync("/sandbox/faults", SandboxClient.Json("""{"rate":0}"""))).Status);
        Assert.Equal(200, (await s.GetAsync(Counter)).Status);
    }

    [Fact]
    public async Task Requests_refused_before_a_valid_token_get_no_random_fault()
    {
        await using var s = await SandboxClient.StartAsync(new SandboxOptions { FaultRate = 1 });
        s.Http.DefaultRequestHeaders.Remove("Authorization");
        Assert.Equal(401, (await s.GetAsync(Counter)).Status);
        Assert.Null(Assert.Single(s.State.Requests).Fault);
    }
}
