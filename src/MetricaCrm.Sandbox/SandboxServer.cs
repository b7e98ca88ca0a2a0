using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace MetricaCrm.Sandbox;

/// <summary>
/// The Metrica sandbox: a real HTTP server on loopback that answers the CDP and Management endpoints the module uses
/// with Metrica's rules, envelopes and error bodies, keeps what it accepted, and can inject faults.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SandboxServer(WebApplication app, SandboxState state, Uri baseUri)
    {
        _app = app;
        State = state;
        BaseUri = baseUri;
    }

    public SandboxState State { get; }
    public Uri BaseUri { get; }

    public static async Task<SandboxServer> StartAsync(SandboxOptions options, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? Array.Empty<string>());
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Url);
        // Metrica takes files up to 1 GB; ASP.NET Core's own form limit (128 MiB) would refuse them first.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1_100_000_000);
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o => o.MultipartBodyLengthLimit = 1_100_000_000);
        var app = builder.Build();
        var state = new SandboxState(options) { ListingDelay = options.ListingDelay };
        Map(app, state, options);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SandboxServer(app, state, new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1")));
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static long? CounterOf(string path)
    {
        var m = System.Text.RegularExpressions.Regex.Match(path, "/counter/([0-9]+)");
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    private static Task DrainAsync(HttpRequest request) =>
        request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0 ? request.Body.CopyToAsync(Stream.Null) : Task.CompletedTask;

    /// <summary>
    /// Called after an upload is stored. A big file (16 MB, about 130,000 simple orders) leaves garbage about its size
    /// (the file, the reading buffers) that the GC would keep committed: at 5M orders 945 MB of working set instead of
    /// 600. An aggressive collection gives it back, ~50 ms per such file.
    /// </summary>
    internal static void ReleaseAfterUpload(long fileBytes)
    {
        if (fileBytes >= 16 * 1024 * 1024) GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    internal static IResult Error(int status, string type, string message) =>
        Results.Json(new { errors = new[] { new { error_type = type, message } }, code = status, message }, statusCode: status);

    private static void Map(WebApplication app, SandboxState state, SandboxOptions options)
    {
        string tokenKey = SandboxQuotas.KeyOf(options.Token);
        // Authentication, quotas, fault injection and the request log wrap every Metrica endpoint.
        app.Use(async (ctx, next) =>
        {
            var path = ctx.Request.Path.Value ?? "";
            if (path.StartsWith("/sandbox/", StringComparison.Ordinal)) { await next(); return; }
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            string auth = ctx.Request.Headers.Authorization.ToString();
            string scheme = auth.Split(' ', 2)[0];
            bool valid = auth == "OAuth " + options.Token;
            void Record(int status, FaultRule? fault = null) => state.Requests.Enqueue(new RecordedRequest(DateTimeOffset.UtcNow, ctx.Request.Method, path,
                ctx.Request.QueryString.Value ?? "", scheme, valid, status, ctx.Request.ContentLength ?? 0,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds, fault?.Kind));
            long? counter = CounterOf(path);
            IResult? refusal = null;
            if (auth.Length == 0 || !scheme.Equals("OAuth", StringComparison.Ordinal) && !scheme.Equals("Bearer", StringComparison.Ordinal))
                refusal = Error(401, "unauthorized", "Неавторизованный пользователь");
            else if (!valid)
                refusal = Error(403, "invalid_token", "Invalid oauth_token");
            else if (options.Counters != null && counter != null && Array.IndexOf(options.Counters, counter.Value) < 0)
                refusal = Error(403, "access_denied", "Access is denied");
            // No Retry-After: Metrica documents none for its quotas.
            else if (state.Quotas.TryAdmit(tokenKey, counter) is { } quota)
                refusal = Error(429, quota.Type, quota.Message);
            if (refusal != null)
            {
                await DrainAsync(ctx.Request);
                await refusal.ExecuteAsync(ctx);
                Record(ctx.Response.StatusCode);
                return;
            }

            try
            {
                var fault = state.NextFault(path);
                switch (fault)
                {
                    case null:
                        await next();
                        break;
                    case { ValidationFailed: true }:
                        ctx.Items["validation-failed"] = true;
                        await next();
                        break;
                    case { DropConnection: true } or { NoResponse: true }:
                        await DrainAsync(ctx.Request);
                        if (fault.NoResponse)
                        {
                            // Logged when it is held, not when the client gives up: Kestrel notices a client that closed
                            // only while it reads, so that moment may never come (the log missed it in 2 runs of 3).
                            Record(0, fault);
                            // Held until the client gives up (or the sandbox stops), like a Metrica that never answers.
                            using var gone = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, app.Lifetime.ApplicationStopping);
                            try { await Task.Delay(Timeout.Infinite, gone.Token); }
                            catch (OperationCanceledException) { }
                            ctx.Abort();
                            return;
                        }
                        // Logged before the abort: the client sees the reset at once and may read the log before a later line ran.
                        Record(0, fault);
                        ctx.Abort();
                        return;
                    case { DropAfterApplied: true }:
                        // The endpoint stores the data and answers into a buffer that never reaches the client.
                        ctx.Response.Body = new MemoryStream();
                        await next();
                        Record(0, fault);
                        ctx.Abort();
                        return;
                    default:
                        if (fault.RetryAfterSeconds is int ra) ctx.Response.Headers.RetryAfter = ra.ToString(CultureInfo.InvariantCulture);
                        await DrainAsync(ctx.Request);
                        await Error(fault.Status, fault.ErrorType ?? fault.Status switch { 429 => "quota_requests_by_ip", 504 => "timeout", >= 500 => "backend_error", _ => "invalid_parameter" },
                            fault.Message ?? (fault.Status == 429 ? "Превышена квота на количество запросов" : "Injected by the sandbox")).ExecuteAsync(ctx);
                        break;
                }
                Record(ctx.Response.StatusCode, fault);
            }
            finally { state.Quotas.Release(tokenKey); }
        });

        app.MapGet("/management/v1/counter/{id:long}", (long id) =>
        {
            var c = state.Counter(id);
            // counter.md: time_zone_offset is the zone's current offset from Greenwich, in minutes.
            int offset = (int)SimpleOrdersRules.ZoneOf(c).GetUtcOffset(state.Clock.GetUtcNow()).TotalMinutes;
            return Results.Json(new { counter = new { id, name = $"Sandbox counter {id}", time_zone_name = c.TimeZoneName, time_zone_offset = offset, permission = "own" } });
        });

        app.MapGet("/management/v1/counter/{id:long}/goals", (long id) =>
        {
            var c = state.Counter(id);
            lock (c.Gate)
                return Results.Json(new
                {
                    goals = c.Goals.Select((g, i) => new { id = 1000 + i, name = $"Goal {g}", type = "action", conditions = new[] { new { type = "exact", url = g } } }).ToArray()
                });
        });

        app.MapPost("/cdp/api/v1/counter/{id:long}/data/simple_orders", async (long id, HttpRequest request, HttpContext ctx) =>
        {
            var counter = state.Counter(id);
            var (read, refused) = await Cdp.CdpUploads.ReadAsync(request, csv: true, state.MaxFileBytes);
            if (refused != null) return refused;
            var parsed = SimpleOrdersRules.Parse(read!.Body, read.Delimiter, counter);
            if (parsed.Error != null) return Error(400, parsed.ErrorType, parsed.Error);

            var now = state.Clock.GetUtcNow();
            var upload = new StoredUpload
            {
                UploadingId = Guid.NewGuid().ToString("N"),
                DateTime = now,
                MergeMode = read.Mode,
                ElementsCount = parsed.Count,
                VisibleAt = now + state.ListingDelay,
                EntityType = "SIMPLE_ORDER",
                FileText = StoredUpload.KeptText(read.Body),
            };
            if (ctx.Items.ContainsKey("validation-failed")) upload.ApiValidationStatus = "FAILED";
            lock (counter.Gate)
            {
                Cdp.CdpUploads.List(counter, upload);
                if (upload.ApiValidationStatus == "PASSED") SimpleOrdersRules.Store(parsed, counter, read.Mode, upload.UploadingId, now, state.Random);
            }
            ReleaseAfterUpload(read.Body.Length);
            return Results.Json(new { uploading = UploadJson(upload) });
        });

        OfflineConversions.OfflineConversionEndpoints.Map(app, state, options);
        Cdp.CdpEndpoints.Map(app, state);

        app.MapGet("/cdp/api/v1/counter/{id:long}/last_uploadings", (long id, HttpRequest request) =>
        {
            var counter = state.Counter(id);
            int limit = 10;
            if (request.Query.TryGetValue("limit", out var l) && (!int.TryParse(l, out limit) || limit < 1 || limit > 1000))
                return Error(400, "invalid_parameter", "Wrong parameter value: limit must be from 1 to 1000");
            DateTimeOffset? before = null;
            if (request.Query.TryGetValue("datetime_offset", out var off))
            {
                if (!DateTime.TryParseExact(off, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var b))
                    return Error(400, "invalid_parameter", "Wrong parameter value: datetime_offset (yyyy-MM-dd HH:mm:ss)");
                // The zone of datetime_offset is unconfirmed: its example has none, the uploads' datetime is UTC, and every
                // other CDP date-time is the counter's. The sandbox reads the counter's zone: east of UTC that is the
                // reading under which a client that pages with UTC text skips uploads, while one that overlaps both works.
                before = new DateTimeOffset(b, SimpleOrdersRules.ZoneOf(counter).GetUtcOffset(b));
            }
            var now = DateTimeOffset.UtcNow;
            lock (counter.Gate)
            {
                // "Strictly earlier" compares the datetime the list shows, in whole seconds.
                var list = counter.Uploads.Where(u => u.VisibleAt <= now && (before == null || WholeSeconds(u.DateTime) < before))
                    .OrderByDescending(u => u.DateTime).Take(limit).Select(UploadJson).ToArray();
                return Results.Json(new { uploadings = list });
            }
        });

        app.MapGet("/cdp/api/v1/counter/{id:long}/schema/order_statuses", (long id) =>
        {
            var c = state.Counter(id);
            lock (c.Gate)
                return Results.Json(new { order_statuses = c.Statuses.Values.Select(s => new { id = s.Id, humanized = s.Humanized, type = s.Type, goal_action_ids = s.GoalActionIds }).ToArray() });
        });

        app.MapPost("/cdp/api/v1/counter/{id:long}/schema/order_statuses", async (long id, HttpRequest request) =>
        {
            var c = state.Counter(id);
            JsonNode? body;
            try { body = await JsonNode.ParseAsync(request.Body); }
            catch (JsonException ex) { return Error(400, "invalid_json", "Malformed JSON: " + ex.Message); }
            if (body?["order_statuses"] is not JsonArray items) return Error(400, "missing_parameter", "order_statuses is required");
            var parsed = new List<StoredStatus>();
            foreach (var item in items)
            {
                // A value of another JSON kind than the documented string is refused, not a server error.
                string? sid = Cdp.CdpEndpoints.Text(item, "id"), type = Cdp.CdpEndpoints.Text(item, "type"), humanized = Cdp.CdpEndpoints.Text(item, "humanized");
                if (string.IsNullOrWhiteSpace(sid)) return Error(400, "invalid_parameter", "order_statuses[].id is required");
                if (type is not ("IN_PROGRESS" or "PAID" or "CANCELLED" or "SPAM" or "OTHER"))
                    return Error(400, "invalid_parameter", $"Wrong parameter value: type={type} for status {sid}");
                // The docs' example gives one string ("dostavka"); a peer client sends an array of them: both are read.
                string? goals = item?["goal_action_ids"] switch
                {
                    JsonArray a when a.All(x => x is JsonValue v && v.TryGetValue<string>(out _)) => string.Join(",", a.Select(x => x!.GetValue<string>())),
                    JsonValue v when v.TryGetValue<string>(out var one) => one,
                    null => null,
                    _ => "\0",
                };
                if (goals == "\0") return Error(400, "invalid_parameter", $"Wrong parameter value: goal_action_ids of status {sid} (строка или массив строк)");
                lock (c.Gate)
                    foreach (var g in (goals ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                        if (!c.Goals.Contains(g.Trim())) return Error(400, "invalid_parameter", $"Goal '{g}' not found in counter {id}");
                parsed.Add(new StoredStatus { Id = sid!, Humanized = humanized, Type = type!, GoalActionIds = goals });
            }
            lock (c.Gate) foreach (var s in parsed) c.Statuses[s.Id] = s;
            return Results.Json(new { success = true });
        });

        // ---- sandbox inspection and control (not Metrica endpoints) ----
        app.MapGet("/sandbox/counters/{id:long}/orders", (long id) =>
        {
            var c = state.Counter(id);
            lock (c.Gate) return Results.Json(c.Orders.Values.OrderBy(o => o.Id, StringComparer.Ordinal).ToArray());
        });
        app.MapGet("/sandbox/requests", () => Results.Json(state.Requests.ToArray()));
        // Either one FaultRule, or {"rate":0.3,"seed":7} for random faults (rate 0 turns them off).
        app.MapPost("/sandbox/faults", async (HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body);
            if (body is JsonObject o && o.ContainsKey("rate"))
            {
                try { state.SetRandomFaults(o["rate"]!.GetValue<double>(), o["seed"]?.GetValue<int>()); }
                catch (ArgumentOutOfRangeException ex) { return Results.BadRequest(ex.Message); }
            }
            else state.AddFault(body.Deserialize<FaultRule>(JsonSerializerOptions.Web)!);
            return Results.Ok();
        });
        app.MapGet("/sandbox/quota", () => Results.Json(state.Quotas.Usage()));
        app.MapPost("/sandbox/quota", (QuotaLimits limits) =>
        {
            if (limits.DailyLimit < 0 || limits.CounterLimit < 0 || limits.ParallelLimit < 0) return Results.BadRequest("Limits are 0 or more.");
            state.Quotas.DailyLimit = limits.DailyLimit ?? state.Quotas.DailyLimit;
            state.Quotas.CounterLimit = limits.CounterLimit ?? state.Quotas.CounterLimit;
            state.Quotas.ParallelLimit = limits.ParallelLimit ?? state.Quotas.ParallelLimit;
            return Results.Json(state.Quotas.Usage());
        });
        app.MapPost("/sandbox/counters/{id:long}/goals/{goal}", (long id, string goal) =>
        {
            var c = state.Counter(id);
            lock (c.Gate) if (!c.Goals.Contains(goal)) c.Goals.Add(goal);
            return Results.Ok();
        });
    }

    /// <summary>
    /// UploadingMetaExternal as uploadsimpleorders.md and getlastuploadings.md show it: datetime in whole seconds of UTC
    /// ("2022-12-29T18:02:01Z"), entity_type SYSTEM ("a system entity, e.g. contacts or orders"; CUSTOM_LIST and
    /// SYSTEM_LIST are lists, which the module never uploads).
    /// </summary>
    internal static object UploadJson(StoredUpload u) => new
    {
        uploading_id = u.UploadingId,
        datetime = u.DateTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        api_validation_status = u.ApiValidationStatus,
        elements_count = u.ElementsCount,
        entity_type = "SYSTEM",
        uploading_format = u.Format,
        uploading_source = "API",
    };
}

/// <summary>The body of POST /sandbox/quota; a limit left out stays as it is.</summary>
public sealed record QuotaLimits(int? DailyLimit, int? CounterLimit, int? ParallelLimit);
