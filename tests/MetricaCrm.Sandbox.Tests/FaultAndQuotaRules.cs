using System.Net.Http.Json;
using System.Text.Json;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>Injected faults and Metrica's quotas, each observed from a raw request.</summary>
public sealed class FaultAndQuotaRules
{
    private const string Orders = "/cdp/api/v1/counter/5/data/simple_orders?merge_mode=SAVE";
    private const string Counter = "/management/v1/counter/5";
    private static string OrderCsv => $"id,create_date_time,emails\nA-1,{DateTime.Now.AddDays(-1):yyyy-MM-dd HH:mm:ss},a@b.ru\n";

    /// <summary>An answer as the client saw it; status 0: none came.</summary>
    private sealed record Answer(int Status, JsonElement Body, TimeSpan? RetryAfter);

    /// <summary>
    /// One request on a connection of its own (HttpClient silently repeats a request that failed on a reused connection),
    /// given up after <paramref name="timeout"/>.
    /// </summary>
    private static async Task<Answer> SendOnceAsync(SandboxClient s, HttpMethod method, string path, HttpContent? content = null, TimeSpan? timeout = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.ConnectionClose = true;
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            using var response = await s.Http.SendAsync(request, cts.Token);
            string text = await response.Content.ReadAsStringAsync(cts.Token);
            return new Answer((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response.Headers.RetryAfter?.Delta);
        }
        catch (HttpRequestException) { return new Answer(0, default, null); }
        catch (OperationCanceledException) when (cts.IsCancellationRequested) { return new Answer(0, default, null); }
    }

    private static Task<Answer> GetOnceAsync(SandboxClient s, string path, TimeSpan? timeout = null) => SendOnceAsync(s, HttpMethod.Get, path, timeout: timeout);

    /// <summary>Metrica's 429 for a spent quota: the quota's error_type, and no Retry-After (Metrica documents none).</summary>
    private static void AssertQuota(Answer answer, string errorType, string? messageContains = null)
    {
        SandboxClient.AssertError((answer.Status, answer.Body), 429, errorType, messageContains);
        Assert.Null(answer.RetryAfter);
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
        var answer = await GetOnceAsync(s, Counter);
        Assert.Equal(retryAfter, (int?)answer.RetryAfter?.TotalSeconds);
        SandboxClient.AssertError((answer.Status, answer.Body), status, errorType);
        Assert.Equal(retryAfter == null ? $"{status}" : $"{status}-retry-after", Assert.Single(s.State.Requests).Fault);
        Assert.Equal(200, (await s.GetAsync(Counter)).Status);
    }

    [Fact]
    public async Task Connection_dropped_before_applied_stores_nothing()
    {
        await using var s = await SandboxClient.StartAsync();
        s.State.AddFault(new FaultRule { PathContains = "simple_orders", DropConnection = true });
        Assert.Equal(0, (await SendOnceAsync(s, HttpMethod.Post, Orders, SandboxClient.CsvFile(OrderCsv))).Status);
        Assert.Empty(await StoredOrdersAsync(s));
        var logged = Assert.Single(s.State.Requests);
        Assert.Equal((0, "drop-before-applied"), (logged.Status, logged.Fault));
    }

    [Fact]
    public async Task Connection_dropped_after_applied_stores_the_data_the_client_never_hears_of()
    {
        await using var s = await SandboxClient.StartAsync();
        s.State.AddFault(new FaultRule { PathContains = "simple_orders", DropAfterApplied = true });
        Assert.Equal(0, (await SendOnceAsync(s, HttpMethod.Post, Orders, SandboxClient.CsvFile(OrderCsv))).Status);
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
        Assert.Equal(0, (await SendOnceAsync(s, HttpMethod.Post, Orders, SandboxClient.CsvFile(OrderCsv), TimeSpan.FromSeconds(1))).Status);
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
                await GetOnceAsync(s, Counter, TimeSpan.FromSeconds(1));
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
        Assert.NotEqual(200, (await GetOnceAsync(s, Counter, TimeSpan.FromSeconds(1))).Status);
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

    [Fact]
    public async Task Fourth_request_in_flight_at_once_is_429_quota_parallel_requests()
    {
        await using var s = await SandboxClient.StartAsync();
        // Three held requests fill the quota; a request refused by it takes no fault rule.
        s.State.AddFault(new FaultRule { PathContains = "counter/5", NoResponse = true, Times = 3 });
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => GetOnceAsync(s, Counter, TimeSpan.FromSeconds(3))));
        AssertQuota(Assert.Single(answers, a => a.Status != 0), "quota_parallel_requests", "параллельных");
        await RequestsAsync(s, 4);
        Assert.Equal(0, (await s.GetAsync("/sandbox/quota")).Body.GetProperty("tokens")[0].GetProperty("inFlight").GetInt32());
        Assert.Equal(200, (await GetOnceAsync(s, Counter)).Status);
    }

    [Fact]
    public async Task Daily_quota_per_token_is_429_quota_requests_by_uid_until_midnight_UTC()
    {
        var clock = new ManualClock { Now = new DateTimeOffset(2026, 3, 1, 23, 59, 0, TimeSpan.FromHours(3)) };
        await using var s = await SandboxClient.StartAsync(new SandboxOptions { Clock = clock, DailyRequestLimit = 3 });
        for (int i = 0; i < 3; i++) Assert.Equal(200, (await GetOnceAsync(s, $"/management/v1/counter/{i}")).Status);
        AssertQuota(await GetOnceAsync(s, Counter), "quota_requests_by_uid", "Превышена квота на количество");
        clock.Now = new DateTimeOffset(2026, 3, 2, 2, 59, 0, TimeSpan.FromHours(3)); // past midnight in Moscow, not in GMT
        AssertQuota(await GetOnceAsync(s, Counter), "quota_requests_by_uid");
        var usage = (await s.GetAsync("/sandbox/quota")).Body;
        Assert.Equal(3, usage.GetProperty("tokens")[0].GetProperty("requestsToday").GetInt32()); // the refused ones did not count
        clock.Now = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(200, (await GetOnceAsync(s, Counter)).Status);
        Assert.Equal(1, (await s.GetAsync("/sandbox/quota")).Body.GetProperty("tokens")[0].GetProperty("requestsToday").GetInt32());
    }

    [Fact]
    public async Task Daily_quota_per_counter_is_429_quota_requests_by_counter_id_for_that_counter_only()
    {
        var clock = new ManualClock { Now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero) };
        await using var s = await SandboxClient.StartAsync(new SandboxOptions { Clock = clock, DailyCounterRequestLimit = 2 });
        Assert.Equal(200, (await GetOnceAsync(s, Counter)).Status);
        Assert.Equal(200, (await GetOnceAsync(s, "/cdp/api/v1/counter/5/last_uploadings")).Status);
        AssertQuota(await SendOnceAsync(s, HttpMethod.Post, Orders, SandboxClient.CsvFile(OrderCsv)), "quota_requests_by_counter_id", "Превышена квота на количество запросов к счётчику");
        Assert.Empty(await StoredOrdersAsync(s));
        Assert.Equal(200, (await GetOnceAsync(s, "/management/v1/counter/6")).Status);
        var counters = (await s.GetAsync("/sandbox/quota")).Body.GetProperty("counters").EnumerateArray()
            .ToDictionary(c => c.GetProperty("counterId").GetInt64(), c => c.GetProperty("requestsToday").GetInt32());
        Assert.Equal(new Dictionary<long, int> { [5] = 2, [6] = 1 }, counters);
        clock.Now = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(200, (await GetOnceAsync(s, Counter)).Status);
    }

    [Fact]
    public async Task Quota_limits_change_at_run_time_and_usage_never_shows_the_token()
    {
        await using var s = await SandboxClient.StartAsync();
        var set = await s.PostAsync("/sandbox/quota", SandboxClient.Json("""{"dailyLimit":1,"parallelLimit":2}"""));
        Assert.Equal((1, 5000, 2), (set.Body.GetProperty("dailyLimit").GetInt32(), set.Body.GetProperty("counterLimit").GetInt32(), set.Body.GetProperty("parallelLimit").GetInt32()));
        Assert.Equal(200, (await GetOnceAsync(s, Counter)).Status);
        AssertQuota(await GetOnceAsync(s, Counter), "quota_requests_by_uid");
        Assert.Equal(400, (await s.PostAsync("/sandbox/quota", SandboxClient.Json("""{"counterLimit":-1}"""))).Status);
        Assert.Equal(200, (await s.PostAsync("/sandbox/quota", SandboxClient.Json("""{"dailyLimit":2}"""))).Status);
        Assert.Equal(200, (await GetOnceAsync(s, Counter)).Status);
        string usage = await s.Http.GetStringAsync("/sandbox/quota");
        Assert.DoesNotContain(SandboxOptions.DefaultToken, usage);
        Assert.Contains(SandboxQuotas.KeyOf(SandboxOptions.DefaultToken), usage);
    }
}
