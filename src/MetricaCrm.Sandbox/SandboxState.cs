using System.Collections.Concurrent;

namespace MetricaCrm.Sandbox;

/// <summary>An order as the sandbox stored it, after merging uploads by id.</summary>
public sealed class StoredOrder
{
    public string Id { get; set; } = "";
    public string CreateDateTime { get; set; } = "";
    public string? ClientUniqId { get; set; }
    public List<string> ClientIds { get; set; } = new();
    public List<string> Emails { get; set; } = new();
    public List<string> Phones { get; set; } = new();
    public List<string> EmailsMd5 { get; set; } = new();
    public List<string> PhonesMd5 { get; set; } = new();
    public string? OrderStatus { get; set; }
    public decimal? Revenue { get; set; }
    public decimal? Cost { get; set; }
    public List<string> Goals { get; set; } = new();
    public string? Currency { get; set; }
    public string UploadId { get; set; } = "";
    /// <summary>simple (data/simple_orders) or detailed (data/orders).</summary>
    public string Kind { get; set; } = "simple";
    public string? ClientType { get; set; }
    public string? UpdateDateTime { get; set; }
    public string? FinishDateTime { get; set; }
    public Dictionary<string, long> Products { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Attributes { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Whether Metrica would link it to visits: created within 21 days before the upload that first stored it.</summary>
    public bool Linked { get; set; }

    /// <summary>Back to a blank order (as <c>new StoredOrder { Id = id, Kind = kind }</c>), keeping the collections' storage.</summary>
    internal void Reset(string id, string kind)
    {
        Id = id;
        Kind = kind;
        CreateDateTime = UploadId = "";
        ClientUniqId = OrderStatus = Currency = ClientType = UpdateDateTime = FinishDateTime = null;
        Revenue = Cost = null;
        Linked = false;
        ClientIds.Clear();
        Emails.Clear();
        Phones.Clear();
        EmailsMd5.Clear();
        PhonesMd5.Clear();
        Goals.Clear();
        Products.Clear();
        Attributes.Clear();
    }
}

public sealed class StoredUpload
{
    public string UploadingId { get; set; } = "";
    public DateTimeOffset DateTime { get; set; }
    public string ApiValidationStatus { get; set; } = "PASSED";
    public long ElementsCount { get; set; }
    public string MergeMode { get; set; } = "";
    /// <summary>
    /// CONTACT, ORDER or SIMPLE_ORDER: which endpoint took it, for the sandbox's own inspection. Metrica's upload object
    /// shows entity_type SYSTEM for all three (<see cref="SandboxServer.UploadJson"/>).
    /// </summary>
    public string EntityType { get; set; } = "SIMPLE_ORDER";
    public string Format { get; set; } = "CSV";
    /// <summary>When last_uploadings starts to list it (the sandbox can model a processing delay).</summary>
    public DateTimeOffset VisibleAt { get; set; }
    /// <summary>The file as uploaded, if it was smaller than <see cref="MaxKeptFileBytes"/>; empty otherwise.</summary>
    public string FileText { get; set; } = "";

    /// <summary>Files this big and bigger are not kept: a million rows' texts would outweigh their stored orders.</summary>
    public const int MaxKeptFileBytes = 1_000_000;

    /// <summary>What <see cref="FileText"/> keeps of a file.</summary>
    public static string KeptText(byte[] file) => file.Length < MaxKeptFileBytes ? System.Text.Encoding.UTF8.GetString(file) : "";
}

public sealed class StoredStatus
{
    public string Id { get; set; } = "";
    public string? Humanized { get; set; }
    public string Type { get; set; } = "";
    public string? GoalActionIds { get; set; }
}

public sealed class CounterState
{
    public CounterState(long id, IEnumerable<string> goals)
    {
        Id = id;
        foreach (var g in goals) Goals.Add(g);
    }

    public long Id { get; }
    public string TimeZoneName { get; set; } = "Europe/Moscow";
    public object Gate { get; } = new();
    public OrderStore Orders { get; } = new();
    public List<StoredUpload> Uploads { get; } = new();
    public Dictionary<string, StoredStatus> Statuses { get; } = new(StringComparer.Ordinal);
    /// <summary>Identifiers of the counter's JS-event goals.</summary>
    public List<string> Goals { get; } = new();
    public OfflineConversions.OfflineData Offline { get; } = new();
    public Cdp.CdpSchema Cdp { get; } = new();
}

/// <summary>
/// A request as the sandbox saw it; the Authorization header is never kept, only whether it was valid. Status 0: no answer
/// reached the client. <see cref="Fault"/>: the <see cref="FaultRule.Kind"/> injected into it, if any.
/// </summary>
public sealed record RecordedRequest(DateTimeOffset At, string Method, string Path, string Query, string AuthScheme, bool TokenValid, int Status, long BodyBytes,
    double Milliseconds = 0, string? Fault = null);

/// <summary>A failure to inject: the next <see cref="Times"/> requests whose path contains <see cref="PathContains"/> get it.</summary>
public sealed class FaultRule
{
    public string PathContains { get; set; } = "";
    public int Status { get; set; } = 503;
    public int Times { get; set; } = 1;
    public int? RetryAfterSeconds { get; set; }
    public string? ErrorType { get; set; }
    public string? Message { get; set; }
    /// <summary>Answer 200 with api_validation_status FAILED instead of an HTTP error (uploads only).</summary>
    public bool ValidationFailed { get; set; }
    /// <summary>Read the request, then drop the connection without an answer, before the request is applied.</summary>
    public bool DropConnection { get; set; }
    /// <summary>
    /// Apply the request, then drop the connection without an answer: the sandbox stored the data but the client cannot
    /// know it, so a client that sends it again creates a duplicate.
    /// </summary>
    public bool DropAfterApplied { get; set; }
    /// <summary>Read the request and never answer it, until the client gives up; it is not applied.</summary>
    public bool NoResponse { get; set; }

    /// <summary>What <see cref="RecordedRequest.Fault"/> calls it: e.g. 503, 429-retry-after, drop-after-applied.</summary>
    public string Kind =>
        NoResponse ? "no-response"
        : DropAfterApplied ? "drop-after-applied"
        : DropConnection ? "drop-before-applied"
        : ValidationFailed ? "validation-failed"
        : RetryAfterSeconds != null ? $"{Status}-retry-after"
        : Status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The faults a random draw picks from, with equal chances: the throttling, server errors and broken connections a
    /// client of Metrica has to survive.
    /// </summary>
    internal static readonly FaultRule[] RandomKinds =
    {
        new() { Status = 429, RetryAfterSeconds = 1 }, new() { Status = 429 },
        new() { Status = 500 }, new() { Status = 502 }, new() { Status = 503 }, new() { Status = 504 },
        new() { NoResponse = true }, new() { DropConnection = true }, new() { DropAfterApplied = true },
    };
}

public sealed class SandboxOptions
{
    public const string DefaultToken = "sandbox-token";
    public string Token { get; set; } = DefaultToken;
    /// <summary>http://127.0.0.1:0 picks a free port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:0";
    public TimeSpan ListingDelay { get; set; } = TimeSpan.Zero;
    /// <summary>How long an offline conversion or calls upload takes from PREPARED to PROCESSED or LINKAGE_FAILURE.</summary>
    public TimeSpan ProcessingDelay { get; set; } = TimeSpan.Zero;
    /// <summary>The sandbox's clock for offline uploads (tests replace it to walk through the processing states).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;
    public string[] DefaultGoals { get; set; } = { "order_confirmed", "callback_request" };
    /// <summary>The largest file an upload takes: Metrica's documented 1 GB; tests lower it to try the refusal.</summary>
    public long MaxFileBytes { get; set; } = Cdp.CdpUploads.MaxFileBytes;
    /// <summary>Seeds the random order in which rows repeating an id in one file are applied; null: a new seed each start.</summary>
    public int? Seed { get; set; }
    /// <summary>The counters the token's account may use; any other answers 403 access_denied. Null: every counter.</summary>
    public long[]? Counters { get; set; }
    /// <summary>The chance (0 to 1) that a Metrica request with a valid token gets a random fault of <see cref="FaultRule.RandomKinds"/>.</summary>
    public double FaultRate { get; set; }
    /// <summary>Seeds the random faults, so a run can be repeated; null: a new seed each start.</summary>
    public int? FaultSeed { get; set; }
    /// <summary>Metrica's quotas per user (token), see <see cref="SandboxQuotas"/>: requests in flight at once (429 quota_parallel_requests).</summary>
    public int MaxParallelRequests { get; set; } = 3;
    /// <summary>Requests per UTC day (429 quota_requests_by_uid).</summary>
    public int DailyRequestLimit { get; set; } = 5_000;
    /// <summary>Requests per counter per UTC day (429 quota_requests_by_counter_id); the FAQ's "5000 requests per counter".</summary>
    public int DailyCounterRequestLimit { get; set; } = 5_000;
}

public sealed class SandboxState
{
    /// <summary>Random order of repeated ids (see <see cref="Cdp.CdpUploads.ApplyOrder"/>); lock it while drawing.</summary>
    public Random Random { get; private set; } = new();

    private readonly SandboxOptions _options;
    public SandboxState(SandboxOptions options)
    {
        _options = options;
        Random = options.Seed is int seed ? new Random(seed) : new Random();
        SetRandomFaults(options.FaultRate, options.FaultSeed);
        Quotas = new SandboxQuotas(options);
    }

    public SandboxQuotas Quotas { get; }

    /// <summary>See <see cref="SandboxOptions.MaxFileBytes"/>.</summary>
    public long MaxFileBytes => _options.MaxFileBytes;

    /// <summary>The sandbox's clock (<see cref="SandboxOptions.Clock"/>), so tests can step through time.</summary>
    public TimeProvider Clock => _options.Clock;

    public ConcurrentDictionary<long, CounterState> Counters { get; } = new();
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();
    public List<FaultRule> Faults { get; } = new();
    public TimeSpan ListingDelay { get; set; }

    public CounterState Counter(long id) => Counters.GetOrAdd(id, i => new CounterState(i, _options.DefaultGoals));

    public void AddFault(FaultRule rule)
    {
        lock (Faults) Faults.Add(rule);
    }

    private readonly object _randomFaultGate = new();
    private double _faultRate;
    private Random _faultRandom = new();

    /// <summary>From now on each Metrica request gets a random fault with chance <paramref name="rate"/> (0: none).</summary>
    public void SetRandomFaults(double rate, int? seed)
    {
        if (!(rate >= 0 && rate <= 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The fault rate is a chance from 0 to 1.");
        lock (_randomFaultGate)
        {
            _faultRate = rate;
            _faultRandom = seed is int s ? new Random(s) : new Random();
        }
    }

    /// <summary>The explicit rule for <paramref name="path"/> if one is left, else a random fault at the fault rate, else null.</summary>
    public FaultRule? NextFault(string path)
    {
        if (TakeFault(path) is FaultRule rule) return rule;
        lock (_randomFaultGate)
            return _faultRate > 0 && _faultRandom.NextDouble() < _faultRate ? FaultRule.RandomKinds[_faultRandom.Next(FaultRule.RandomKinds.Length)] : null;
    }

    private FaultRule? TakeFault(string path)
    {
        lock (Faults)
        {
            var rule = Faults.FirstOrDefault(f => f.Times > 0 && path.Contains(f.PathContains, StringComparison.OrdinalIgnoreCase));
            if (rule == null) return null;
            rule.Times--;
            if (rule.Times == 0) Faults.Remove(rule);
            return rule;
        }
    }
}
