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

    internal static IResult Error(int status, string type, string message) =>
        Results.Json(new { errors = new[] { new { error_type = type, message } }, code = status, message }, statusCode: status);

    private static void Map(WebApplication app, SandboxState state, SandboxOptions options)
    {
        // Authentication, fault injection and the request log wrap every Metrica endpoint.
        app.Use(async (ctx, next) =>
        {
            var path = ctx.Request.Path.Value ?? "";
            if (path.StartsWith("/sandbox/", StringComparison.Ordinal)) { await next(); return; }
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            string auth = ctx.Request.Headers.Authorization.ToString();
            string scheme = auth.Split(' ', 2)[0];
            bool valid = auth == "OAuth " + options.Token;
            // Status 0: the connection was dropped without an answer.
            void Record(int status) => state.Requests.Enqueue(new RecordedRequest(DateTimeOffset.UtcNow, ctx.Request.Method, path,
                ctx.Request.QueryString.Value ?? "", scheme, valid, status, ctx.Request.ContentLength ?? 0,
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            IResult? refusal = null;
            if (auth.Length == 0 || !scheme.Equals("OAuth", StringComparison.Ordinal) && !scheme.Equals("Bearer", StringComparison.Ordinal))
                refusal = Error(401, "unauthorized", "Неавторизованный пользователь");
            else if (!valid)
                refusal = Error(403, "invalid_token", "Invalid oauth_token");
            else if (options.Counters != null && CounterOf(path) is long counter && Array.IndexOf(options.Counters, counter) < 0)
                refusal = Error(403, "access_denied", "Access is denied");
            else if (state.TakeFault(path) is FaultRule fault)
            {
                if (fault.ValidationFailed) ctx.Items["validation-failed"] = true;
                else if (fault.DropConnection)
                {
                    if (ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0) await ctx.Request.Body.CopyToAsync(Stream.Null);
                    Record(0);
                    ctx.Abort();
                    return;
                }
                else
                {
                    if (fault.RetryAfterSeconds is int ra) ctx.Response.Headers.RetryAfter = ra.ToString(CultureInfo.InvariantCulture);
                    refusal = Error(fault.Status, fault.ErrorType ?? (fault.Status == 429 ? "quota_requests_by_ip" : fault.Status >= 500 ? "backend_error" : "invalid_parameter"),
                        fault.Message ?? (fault.Status == 429 ? "Превышена квота на количество запросов" : "Injected by the sandbox"));
                }
            }

            if (refusal != null)
            {
                if (ctx.Request.ContentLength > 0) await ctx.Request.Body.CopyToAsync(Stream.Null);
                await refusal.ExecuteAsync(ctx);
            }
            else await next();
            Record(ctx.Response.StatusCode);
        });

        app.MapGet("/management/v1/counter/{id:long}", (long id) =>
        {
            var c = state.Counter(id);
            return Results.Json(new { counter = new { id, name = $"Sandbox counter {id}", time_zone_name = c.TimeZoneName, time_zone_offset = 180, permission = "own" } });
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
            var (read, refused) = await Cdp.CdpUploads.ReadAsync(request, csv: true);
            if (refused != null) return refused;
            var parsed = SimpleOrdersRules.Parse(read!.Body, read.Delimiter, counter);
            if (parsed.Error != null) return Error(400, parsed.ErrorType, parsed.Error);

            var now = state.Clock.GetUtcNow();
            var upload = new StoredUpload
            {
                UploadingId = Guid.NewGuid().ToString("N"),
                DateTime = now,
                MergeMode = read.Mode,
                ElementsCount = parsed.Rows.Count,
                VisibleAt = now + state.ListingDelay,
                EntityType = "SIMPLE_ORDER",
                FileText = System.Text.Encoding.UTF8.GetString(read.Body),
            };
            if (ctx.Items.ContainsKey("validation-failed")) upload.ApiValidationStatus = "FAILED";
            lock (counter.Gate)
            {
                Cdp.CdpUploads.List(counter, upload);
                if (upload.ApiValidationStatus == "PASSED")
                {
                    List<Dictionary<string, string>> ordered;
                    lock (state.Random) ordered = Cdp.CdpUploads.ApplyOrder(parsed.Rows, r => r["id"], state.Random).ToList();
                    foreach (var row in ordered) SimpleOrdersRules.Merge(counter, row, parsed.PresentColumns, read.Mode, upload.UploadingId, now);
                }
            }
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
                if (!DateTime.TryParseExact(off, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var b))
                    return Error(400, "invalid_parameter", "Wrong parameter value: datetime_offset");
                before = new DateTimeOffset(b, TimeSpan.Zero);
            }
            var now = DateTimeOffset.UtcNow;
            lock (counter.Gate)
            {
                var list = counter.Uploads.Where(u => u.VisibleAt <= now && (before == null || u.DateTime < before))
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
                string? sid = item?["id"]?.GetValue<string>(), type = item?["type"]?.GetValue<string>();
                if (string.IsNullOrWhiteSpace(sid)) return Error(400, "invalid_parameter", "order_statuses[].id is required");
                if (type is not ("IN_PROGRESS" or "PAID" or "CANCELLED" or "SPAM" or "OTHER"))
                    return Error(400, "invalid_parameter", $"Wrong parameter value: type={type} for status {sid}");
                string? goals = item?["goal_action_ids"] switch
                {
                    JsonArray a => string.Join(",", a.Select(x => x!.GetValue<string>())),
                    JsonValue v => v.GetValue<string>(),
                    _ => null,
                };
                lock (c.Gate)
                    foreach (var g in (goals ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                        if (!c.Goals.Contains(g.Trim())) return Error(400, "invalid_parameter", $"Goal '{g}' not found in counter {id}");
                parsed.Add(new StoredStatus { Id = sid!, Humanized = item?["humanized"]?.GetValue<string>(), Type = type!, GoalActionIds = goals });
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
        app.MapPost("/sandbox/faults", (FaultRule rule) => { state.AddFault(rule); return Results.Ok(); });
        app.MapPost("/sandbox/counters/{id:long}/goals/{goal}", (long id, string goal) =>
        {
            var c = state.Counter(id);
            lock (c.Gate) if (!c.Goals.Contains(goal)) c.Goals.Add(goal);
            return Results.Ok();
        });
    }

    internal static object UploadJson(StoredUpload u) => new
    {
        uploading_id = u.UploadingId,
        datetime = u.DateTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        api_validation_status = u.ApiValidationStatus,
        elements_count = u.ElementsCount,
        entity_type = u.EntityType,
        uploading_format = u.Format,
        uploading_source = "API",
    };
}
