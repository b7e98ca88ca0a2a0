using System.Security.Cryptography;
using System.Text;

namespace MetricaCrm.Sandbox;

/// <summary>
/// Metrica's per-user quotas (the token is the user): requests in flight at once, requests per UTC day, and requests
/// per counter per UTC day, all reset at 00:00 GMT by <see cref="SandboxOptions.Clock"/>.
/// Which requests count is unconfirmed, so the choice is ours: a request counts once it has a valid token, may use its
/// counter and is within every quota, whatever answer follows (injected faults included); a request refused for its
/// token, its counter or by a quota does not count.
/// </summary>
public sealed class SandboxQuotas
{
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, TokenUsage> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<long, int> _counters = new();
    private DateOnly _day;

    public SandboxQuotas(SandboxOptions options)
    {
        _clock = options.Clock;
        ParallelLimit = options.MaxParallelRequests;
        DailyLimit = options.DailyRequestLimit;
        CounterLimit = options.DailyCounterRequestLimit;
    }

    public int ParallelLimit { get; set; }
    public int DailyLimit { get; set; }
    public int CounterLimit { get; set; }

    /// <summary>How the token appears in <see cref="Usage"/>: a hash, never the token itself.</summary>
    public static string KeyOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..16];

    /// <summary>
    /// Admits a request of <paramref name="tokenKey"/> (to <paramref name="counter"/>, if any) and counts it, or returns the
    /// 429 error_type and message that refuse it. An admitted request holds a parallel slot until <see cref="Release"/>.
    /// </summary>
    public (string Type, string Message)? TryAdmit(string tokenKey, long? counter)
    {
        lock (_gate)
        {
            StartToday();
            if (!_tokens.TryGetValue(tokenKey, out var usage)) _tokens[tokenKey] = usage = new TokenUsage();
            int counterToday = counter is long c ? _counters.GetValueOrDefault(c) : 0;
            // Only the counter message is in Metrica's own tests; the parallel one is quoted by Metrica's users, and the
            // daily one shares the prefix Metrica's tests check ("Превышена квота на количество").
            if (usage.InFlight >= ParallelLimit) return ("quota_parallel_requests", "Превышена квота на количество параллельных запросов");
            if (usage.Today >= DailyLimit) return ("quota_requests_by_uid", "Превышена квота на количество запросов пользователя");
            if (counter != null && counterToday >= CounterLimit) return ("quota_requests_by_counter_id", "Превышена квота на количество запросов к счётчику");
            usage.InFlight++;
            usage.Today++;
            if (counter is long id) _counters[id] = counterToday + 1;
            return null;
        }
    }

    public void Release(string tokenKey)
    {
        lock (_gate) _tokens[tokenKey].InFlight--;
    }

    /// <summary>Limits and today's use per token key and per counter, for GET /sandbox/quota.</summary>
    public object Usage()
    {
        lock (_gate)
        {
            StartToday();
            return new
            {
                day = _day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                dailyLimit = DailyLimit,
                counterLimit = CounterLimit,
                parallelLimit = ParallelLimit,
                tokens = _tokens.Select(t => new { key = t.Key, requestsToday = t.Value.Today, inFlight = t.Value.InFlight }).ToArray(),
                counters = _counters.Select(c => new { counterId = c.Key, requestsToday = c.Value }).ToArray(),
            };
        }
    }

    private void StartToday()
    {
        var today = DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime);
        if (today == _day) return;
        _day = today;
        foreach (var usage in _tokens.Values) usage.Today = 0;
        _counters.Clear();
    }

    private sealed class TokenUsage
    {
        public int InFlight;
        public int Today;
    }
}
