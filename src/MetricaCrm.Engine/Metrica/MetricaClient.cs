using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace MetricaCrm.Engine.Metrica
{
    /// <summary>
    /// The Metrica Management and CDP APIs over HttpClient, with Polly retries that only repeat what is safe to repeat:
    /// a 429/420 was not applied and is always retried (honouring Retry-After); a 5xx, a timeout or a dropped connection
    /// is retried only for requests marked replay-safe (reads, and uploads whose merge mode makes a second copy harmless).
    /// </summary>
    public sealed class MetricaClient : IDisposable
    {
        public static readonly Uri DefaultBaseUri = new Uri("https://api-metrika.yandex.net");
        private static readonly ResiliencePropertyKey<bool> ReplaySafeKey = new ResiliencePropertyKey<bool>("MetricaCrm.ReplaySafe");
        private static readonly ResiliencePropertyKey<int> AttemptsKey = new ResiliencePropertyKey<int>("MetricaCrm.Attempts");
        private static readonly ResiliencePropertyKey<TimeSpan> AttemptTimeoutKey = new ResiliencePropertyKey<TimeSpan>("MetricaCrm.AttemptTimeout");
        private static readonly ResiliencePropertyKey<TimeSpan> TotalTimeoutKey = new ResiliencePropertyKey<TimeSpan>("MetricaCrm.TotalTimeout");

        private readonly HttpClient _http;
        /// <summary>
        /// For requests that must not be repeated: each on a new connection, closed after it. HttpClient silently sends a
        /// request again when a reused pooled connection fails before any answer (POSTs included), which for an APPEND
        /// whose first copy was applied would add its values twice; on a connection of its own it is never retried.
        /// </summary>
        private readonly HttpClient _httpOnce;
        private readonly MetricaToken _token;
        private readonly Uri _baseUri;
        private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
        private readonly Action<string> _log;
        private readonly RetryOptions _retry;
        private readonly Journal.RequestBudget? _budget;

        /// <param name="budget">The request budget every attempt passes through (quotas shared by the user's processes); null: none.</param>
        public MetricaClient(Uri? baseUri, MetricaToken token, RetryOptions? retry = null, Action<string>? log = null, HttpMessageHandler? handler = null, ProxySettings? proxy = null,
            Journal.RequestBudget? budget = null, bool allowPlainHttp = false)
        {
            _budget = budget;
            Proxy = proxy ?? ProxySettings.System;
            _baseUri = baseUri ?? DefaultBaseUri;
            if (SendsTokenInClear(_baseUri) && !allowPlainHttp)
                throw new ArgumentException($"{_baseUri.GetLeftPart(UriPartial.Authority)} is plain http to another machine: the OAuth token and the " +
                    "uploaded personal data would travel unencrypted. Use an https address (Metrica's is https://api-metrika.yandex.net), or say " +
                    "explicitly that this network path may carry them in clear.", nameof(baseUri));
            _token = token;
            _log = log ?? (_ => { });
            _retry = retry ?? new RetryOptions();
            _ownsHttp = handler != null;
            string key = _baseUri.GetLeftPart(UriPartial.Authority) + "|" + Proxy.Key;
            _http = handler != null ? NewHttpClient(handler) : SharedHttp.GetOrAdd(key, _ => NewHttpClient(Proxy.CreateHandler()));
            _httpOnce = handler != null ? _http : SharedHttp.GetOrAdd(key + "|once", _ => NewHttpClient(Proxy.CreateHandler()));
            _pipeline = BuildPipeline(_retry);
        }

        /// <summary>Plain http to anything but this machine (the sandbox on loopback is the one plain address expected).</summary>
        public static bool SendsTokenInClear(Uri address) => address.Scheme == Uri.UriSchemeHttp && !address.IsLoopback;

        // One HttpClient (connection pool, TLS sessions) per API address and proxy for the whole process: every cmdlet of every
        // runspace shares it, so a pipeline of many commands does not open new connections each time.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, HttpClient> SharedHttp =
            new System.Collections.Concurrent.ConcurrentDictionary<string, HttpClient>(StringComparer.OrdinalIgnoreCase);
        private readonly bool _ownsHttp;

        static MetricaClient()
        {
            // Windows PowerShell 5.1 may default to TLS 1.0, which Metrica refuses: add TLS 1.2, once, keeping what is set.
            if (System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
                ServicePointManager.SecurityProtocol |= SecurityProtocolType.Tls12;
        }

        private static HttpClient NewHttpClient(HttpMessageHandler handler)
        {
            var http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.UserAgent.ParseAdd("MetricaCrm/" + typeof(MetricaClient).Assembly.GetName().Version);
            return http;
        }

        public Uri BaseUri => _baseUri;

        public ProxySettings Proxy { get; }

        /// <summary>The TLS versions this process offers, for diagnostics: .NET Framework's setting, or the OS default on .NET.</summary>
        public static string TlsDescription =>
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal)
                ? "ServicePointManager.SecurityProtocol = " + ServicePointManager.SecurityProtocol
                : "the operating system's TLS versions (" + System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription + ")";

        // ---- Management API ----

        public async Task<CounterInfo> GetCounterAsync(long counterId, CancellationToken ct)
        {
            using var doc = await SendJsonAsync(HttpMethod.Get, $"/management/v1/counter/{counterId}", null, true, $"Reading counter {counterId}", ct).ConfigureAwait(false);
            var c = doc.RootElement.GetProperty("counter");
            return new CounterInfo
            {
                Id = Json.Long(c, "id") ?? counterId,
                Name = Json.String(c, "name"),
                TimeZoneName = Json.String(c, "time_zone_name") ?? "Europe/Moscow",
                TimeZoneOffsetMinutes = (int?)Json.Long(c, "time_zone_offset"),
                Permission = Json.String(c, "permission"),
            };
        }

        public async Task<IReadOnlyList<MetricaGoal>> GetGoalsAsync(long counterId, CancellationToken ct)
        {
            using var doc = await SendJsonAsync(HttpMethod.Get, $"/management/v1/counter/{counterId}/goals", null, true, $"Reading the goals of counter {counterId}", ct).ConfigureAwait(false);
            var goals = new List<MetricaGoal>();
            foreach (var g in doc.RootElement.GetProperty("goals").EnumerateArray())
            {
                var ids = new List<string>();
                if (g.TryGetProperty("conditions", out var conds) && conds.ValueKind == JsonValueKind.Array)
                    foreach (var cond in conds.EnumerateArray())
                        if (Json.String(cond, "url") is string url) ids.Add(url);
                goals.Add(new MetricaGoal { Id = Json.Long(g, "id") ?? 0, Name = Json.String(g, "name"), Type = Json.String(g, "type"), Identifiers = ids.ToArray() });
            }
            return goals;
        }

        // ---- uploads of every kind ----

        /// <summary>Sends a batch where its request says (the journal keeps the request, so a kept batch goes the same way).</summary>
        public Task<MetricaUpload> SendUploadAsync(long counterId, Upload.UploadRequest request, Upload.BatchFile batch, CancellationToken ct) =>
            request.Api == Upload.UploadApi.Cdp
                ? UploadAsync(counterId, request.PathAndQuery, batch, request.ReplaySafe, ct)
                : UploadOfflineAsync(counterId, request.KindName, request.PathAndQuery, batch, ct);

        /// <summary>
        /// The counter's uploads of the request's kind created at or after <paramref name="sinceUtc"/>, newest first: CDP
        /// pages back through last_uploadings, the Management API lists the kind's uploads (up to 10,000, its maximum).
        /// </summary>
        public async Task<IReadOnlyList<MetricaUpload>> ListUploadsSinceAsync(long counterId, Upload.UploadRequest request, DateTimeOffset sinceUtc, CancellationToken ct)
        {
            if (request.Api == Upload.UploadApi.Management)
                return (await ListAllOfflineUploadsAsync(counterId, request.KindName, request.ListPath!, ct).ConfigureAwait(false))
                    .Where(u => u.DateTime == null || u.DateTime >= sinceUtc).ToList();
            var found = new List<MetricaUpload>();
            await PageBackAsync(counterId, 20, batch =>
            {
                found.AddRange(batch.Where(u => u.DateTime == null || u.DateTime >= sinceUtc));
                return batch.Any(u => u.DateTime != null && u.DateTime < sinceUtc);
            }, ct).ConfigureAwait(false);
            return found.GroupBy(u => u.UploadId).Select(g => g.First()).ToList();
        }

        /// <summary>
        /// Every upload of the kind, page by page (limit 10,000, Metrica's default and our page): the docs number the
        /// first upload 0 without saying whether the list runs oldest or newest first, so reading one page could miss
        /// the newest uploads of a counter that has more.
        /// </summary>
        private async Task<List<MetricaUpload>> ListAllOfflineUploadsAsync(long counterId, string kind, string listPath, CancellationToken ct)
        {
            const int page = 10_000;
            var all = new List<MetricaUpload>();
            for (int offset = 0; ; offset += page)
            {
                var batch = await ListOfflineUploadsAsync(counterId, kind, listPath, page, ct, offset).ConfigureAwait(false);
                all.AddRange(batch);
                if (batch.Count < page) return all;
            }
        }

        /// <summary>
        /// Pages back through last_uploadings, newest first, until <paramref name="enough"/> says so, a page is not full,
        /// or <paramref name="maxPages"/> pages were read. Which zone Metrica reads datetime_offset in is unconfirmed (UTC,
        /// as the uploads' datetime is, or the counter's, as every other CDP date-time is): the next offset is the oldest
        /// upload's time 14 hours later (no zone is further ahead of UTC), which lists it again under either reading, so
        /// pages overlap and never skip one; repeats are dropped by id. A page that brings nothing new is followed by one
        /// at the oldest time itself (a counter with over 1000 uploads within 14 hours), and then the paging ends.
        /// </summary>
        private async Task PageBackAsync(long counterId, int maxPages, Func<IReadOnlyList<MetricaUpload>, bool> enough, CancellationToken ct)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            DateTimeOffset? before = null;
            bool overlap = true;
            for (int page = 0; page < maxPages; page++)
            {
                var batch = await GetLastUploadingsAsync(counterId, 1000, before, ct).ConfigureAwait(false);
                var fresh = batch.Where(u => seen.Add(u.UploadId)).ToList();
                if (fresh.Count == 0 && !overlap) return;
                overlap = fresh.Count > 0;
                if (enough(fresh) || batch.Count < 1000) return;
                var oldest = batch.Where(u => u.DateTime != null).Select(u => u.DateTime!.Value).DefaultIfEmpty().Min();
                if (oldest == default) return;
                before = NextPage(oldest, overlap);
            }
        }

        // datetime_offset has whole seconds: the oldest time is rounded up, so uploads in that same second are listed again.
        private static DateTimeOffset NextPage(DateTimeOffset oldest, bool overlap) =>
            new DateTimeOffset(oldest.UtcDateTime.Ticks - oldest.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(1).AddHours(overlap ? 14 : 0);

        // ---- CDP API ----

        /// <summary>
        /// Sends one CDP batch to <c>/cdp/api/v1/counter/{id}/{pathAndQuery}</c>: a CSV as a multipart part named "file",
        /// JSON as the request body. <paramref name="replaySafe"/> says whether a failure with an unknown outcome may be
        /// retried (the kind decides from the merge mode).
        /// </summary>
        private async Task<MetricaUpload> UploadAsync(long counterId, string pathAndQuery, Upload.BatchFile batch, bool replaySafe, CancellationToken ct)
        {
            Func<HttpContent> body = batch.ContentType == "text/csv" ? () => FilePart(batch.Path) : () => JsonBody(batch.Path);
            using var doc = await SendJsonAsync(HttpMethod.Post, $"/cdp/api/v1/counter/{counterId}/{pathAndQuery}", body, replaySafe,
                $"Uploading {batch.Name} ({batch.Rows} records) to counter {counterId}", ct, new FileInfo(batch.Path).Length).ConfigureAwait(false);
            return MetricaUpload.FromJson(counterId, doc.RootElement.GetProperty("uploading"));
        }

        /// <summary>
        /// Sends an offline conversions or calls file to <c>/management/v1/counter/{id}/{pathAndQuery}</c> as a multipart
        /// part named "file". Re-sending the same events overwrites them with the same values, so it is replay-safe.
        /// </summary>
        private async Task<MetricaUpload> UploadOfflineAsync(long counterId, string kind, string pathAndQuery, Upload.BatchFile batch, CancellationToken ct)
        {
            using var doc = await SendJsonAsync(HttpMethod.Post, $"/management/v1/counter/{counterId}/{pathAndQuery}", () => FilePart(batch.Path), true,
                $"Uploading {batch.Name} ({batch.Rows} records) to counter {counterId}", ct, new FileInfo(batch.Path).Length).ConfigureAwait(false);
            return MetricaUpload.FromOfflineJson(counterId, kind, doc.RootElement.GetProperty("uploading"));
        }

        /// <summary>One offline conversions or calls upload by id; null when Metrica answers 404.</summary>
        public async Task<MetricaUpload?> GetOfflineUploadAsync(long counterId, string kind, string path, CancellationToken ct)
        {
            try
            {
                using var doc = await SendJsonAsync(HttpMethod.Get, $"/management/v1/counter/{counterId}/{path}", null, true,
                    $"Reading upload {path.Substring(path.LastIndexOf('/') + 1)} of counter {counterId}", ct).ConfigureAwait(false);
                return MetricaUpload.FromOfflineJson(counterId, kind, doc.RootElement.GetProperty("uploading"));
            }
            catch (MetricaApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }

        /// <summary>The counter's offline conversions (uploadings) or calls (calls_uploadings) uploads.</summary>
        public async Task<IReadOnlyList<MetricaUpload>> ListOfflineUploadsAsync(long counterId, string kind, string listPath, int limit, CancellationToken ct, int offset = 0)
        {
            using var doc = await SendJsonAsync(HttpMethod.Get, $"/management/v1/counter/{counterId}/{listPath}?limit={limit}&offset={offset}", null, true,
                $"Reading the {kind} uploads of counter {counterId}", ct).ConfigureAwait(false);
            var list = new List<MetricaUpload>();
            if (doc.RootElement.TryGetProperty("uploadings", out var arr) && arr.ValueKind == JsonValueKind.Array)
                foreach (var e in arr.EnumerateArray()) list.Add(MetricaUpload.FromOfflineJson(counterId, kind, e));
            return list;
        }

        /// <summary>The newest uploads first; <paramref name="before"/> pages back (datetime_offset, strictly earlier).</summary>
        public async Task<IReadOnlyList<MetricaUpload>> GetLastUploadingsAsync(long counterId, int limit, DateTimeOffset? before, CancellationToken ct)
        {
            if (limit < 1 || limit > 1000) throw new ArgumentOutOfRangeException(nameof(limit), "Metrica returns 1 to 1000 uploads per request.");
            string path = $"/cdp/api/v1/counter/{counterId}/last_uploadings?limit={limit}&source=API";
            if (before != null) path += "&datetime_offset=" + Uri.EscapeDataString(before.Value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            using var doc = await SendJsonAsync(HttpMethod.Get, path, null, true, $"Reading the uploads of counter {counterId}", ct).ConfigureAwait(false);
            return doc.RootElement.GetProperty("uploadings").EnumerateArray().Select(e => MetricaUpload.FromJson(counterId, e)).ToList();
        }

        /// <summary>Finds one upload by id, paging back through last_uploadings (there is no single-upload endpoint for CDP).</summary>
        public async Task<MetricaUpload?> FindUploadAsync(long counterId, string uploadId, int maxPages, CancellationToken ct)
        {
            MetricaUpload? hit = null;
            await PageBackAsync(counterId, maxPages, batch => (hit = batch.FirstOrDefault(u => u.UploadId == uploadId)) != null, ct).ConfigureAwait(false);
            return hit;
        }

        public async Task<IReadOnlyList<OrderStatusDefinition>> GetOrderStatusesAsync(long counterId, CancellationToken ct)
        {
            using var doc = await SendJsonAsync(HttpMethod.Get, $"/cdp/api/v1/counter/{counterId}/schema/order_statuses", null, true,
                $"Reading the order statuses of counter {counterId}", ct).ConfigureAwait(false);
            var list = new List<OrderStatusDefinition>();
            if (doc.RootElement.TryGetProperty("order_statuses", out var arr))
                foreach (var s in arr.EnumerateArray())
                    list.Add(new OrderStatusDefinition
                    {
                        CounterId = counterId,
                        Id = Json.String(s, "id") ?? "",
                        Humanized = Json.String(s, "humanized"),
                        Type = Json.String(s, "type") ?? "",
                        GoalActionIds = GoalActionIds(s),
                    });
            return list;
        }

        /// <summary>Maps custom statuses. Sending the same map twice yields the same schema, so it is replay-safe.</summary>
        public async Task SetOrderStatusesAsync(long counterId, IEnumerable<OrderStatusDefinition> statuses, CancellationToken ct)
        {
            byte[] body = JsonBody(w =>
            {
                w.WriteStartArray("order_statuses");
                foreach (var s in statuses)
                {
                    w.WriteStartObject();
                    w.WriteString("id", s.Id);
                    w.WriteString("humanized", s.Humanized ?? s.Id);
                    w.WriteString("type", s.Type);
                    // The docs' example gives goal_action_ids as one string; several ids are sent comma-separated (unconfirmed).
                    if (s.GoalActionIds.Length > 0) w.WriteString("goal_action_ids", string.Join(",", s.GoalActionIds));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            using var doc = await SendJsonAsync(HttpMethod.Post, $"/cdp/api/v1/counter/{counterId}/schema/order_statuses",
                () => JsonContent(body), true,
                $"Mapping order statuses of counter {counterId}", ct, body.Length).ConfigureAwait(false);
        }

        /// <summary>The counter's custom attributes, of one entity (CONTACT, ORDER, SIMPLE_ORDER, COMPANY) or all.</summary>
        public async Task<IReadOnlyList<MetricaAttribute>> GetAttributesAsync(long counterId, string? entityType, CancellationToken ct)
        {
            string path = $"/cdp/api/v1/counter/{counterId}/schema/attributes" + (entityType != null ? "?entity_type=" + entityType : "");
            using var doc = await SendJsonAsync(HttpMethod.Get, path, null, true, $"Reading the attributes of counter {counterId}", ct).ConfigureAwait(false);
            var list = new List<MetricaAttribute>();
            if (doc.RootElement.TryGetProperty("attributes", out var arr) && arr.ValueKind == JsonValueKind.Array)
                foreach (var a in arr.EnumerateArray())
                    list.Add(new MetricaAttribute
                    {
                        CounterId = counterId,
                        EntityType = Json.String(a, "entity_type") ?? entityType ?? "",
                        Name = Json.String(a, "name") ?? "",
                        TypeName = Json.String(a, "type_name") ?? "",
                        Multivalued = a.TryGetProperty("multivalued", out var m) && m.ValueKind == JsonValueKind.True,
                        Humanized = Json.String(a, "humanized"),
                    });
            return list;
        }

        /// <summary>Creates attributes of one entity. Creating the same attributes again gives the same schema, so it is replay-safe.</summary>
        public async Task CreateAttributesAsync(long counterId, string entityType, IEnumerable<MetricaAttribute> attributes, CancellationToken ct)
        {
            byte[] body = JsonBody(w =>
            {
                w.WriteStartArray("attributes");
                foreach (var a in attributes)
                {
                    w.WriteStartObject();
                    w.WriteString("name", a.Name);
                    w.WriteString("type_name", a.TypeName);
                    w.WriteBoolean("multivalued", a.Multivalued);
                    w.WriteString("humanized", a.Humanized ?? a.Name);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            using var doc = await SendJsonAsync(HttpMethod.Post, $"/cdp/api/v1/counter/{counterId}/schema/attributes?entity_type={entityType}",
                () => JsonContent(body), true, $"Creating {entityType} attributes of counter {counterId}", ct, body.Length).ConfigureAwait(false);
        }

        /// <summary>Sends the product catalogue (schema/products). The same catalogue twice gives the same schema: replay-safe.</summary>
        public async Task SetProductsAsync(long counterId, IEnumerable<MetricaProduct> products, CancellationToken ct)
        {
            byte[] body = JsonBody(w =>
            {
                w.WriteStartArray("attributes");
                w.WriteEndArray();
                w.WriteStartArray("items");
                foreach (var p in products)
                {
                    w.WriteStartObject();
                    w.WriteString("name", p.Name);
                    w.WriteString("humanized", p.Humanized ?? p.Name);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
            using var doc = await SendJsonAsync(HttpMethod.Post, $"/cdp/api/v1/counter/{counterId}/schema/products",
                () => JsonContent(body), true, $"Sending the product catalogue of counter {counterId}", ct, body.Length).ConfigureAwait(false);
        }

        private static byte[] JsonBody(Action<Utf8JsonWriter> properties)
        {
            var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                properties(w);
                w.WriteEndObject();
            }
            return buffer.ToArray();
        }

        private static HttpContent JsonContent(byte[] body) =>
            new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };

        private static string[] GoalActionIds(JsonElement s)
        {
            if (!s.TryGetProperty("goal_action_ids", out var g)) return Array.Empty<string>();
            if (g.ValueKind == JsonValueKind.Array) return g.EnumerateArray().Select(x => x.GetString() ?? "").Where(x => x.Length > 0).ToArray();
            if (g.ValueKind == JsonValueKind.String) return (g.GetString() ?? "").Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(x => x.Trim()).ToArray();
            return Array.Empty<string>();
        }

        private static HttpContent JsonBody(string jsonPath)
        {
            var body = new StreamContent(new FileStream(jsonPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));
            body.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            return body;
        }

        private static HttpContent FilePart(string csvPath)
        {
            var file = new StreamContent(new FileStream(csvPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan));
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            var form = new MultipartFormDataContent();
            form.Add(file, "file", Path.GetFileName(csvPath)); // the part must be named "file"
            return form;
        }

        // ---- transport ----

        /// <param name="uploadBytes">The size of what the request sends (a file, a JSON body), which sizes its timeout; null: a read.</param>
        private async Task<JsonDocument> SendJsonAsync(HttpMethod method, string pathAndQuery, Func<HttpContent>? content, bool replaySafe, string operation, CancellationToken ct,
            long? uploadBytes = null)
        {
            var uri = new Uri(_baseUri.AbsoluteUri.TrimEnd('/') + pathAndQuery);
            var context = ResilienceContextPool.Shared.Get(ct);
            var attemptTimeout = _retry.AttemptTimeoutFor(uploadBytes);
            var totalTimeout = _retry.TotalTimeoutFor(attemptTimeout);
            context.Properties.Set(ReplaySafeKey, replaySafe);
            context.Properties.Set(AttemptsKey, 0);
            context.Properties.Set(AttemptTimeoutKey, attemptTimeout);
            context.Properties.Set(TotalTimeoutKey, totalTimeout);
            HttpResponseMessage response;
            try
            {
                response = await _pipeline.ExecuteAsync(async ctx =>
                {
                    ctx.Properties.Set(AttemptsKey, ctx.Properties.GetValue(AttemptsKey, 0) + 1);
                    // A new request per attempt: .NET Framework disposes the content after sending.
                    using var request = new HttpRequestMessage(method, uri);
                    request.Headers.TryAddWithoutValidation("Authorization", _token.HeaderValue);
                    request.Headers.Accept.ParseAdd("application/json");
                    if (content != null) request.Content = content();
                    // Held until the answer is read: a slot of the user's parallel requests, counted against the day.
                    using var lease = _budget == null ? null : await _budget.EnterAsync(ctx.CancellationToken).ConfigureAwait(false);
                    _log($"{method} {uri.GetLeftPart(UriPartial.Path)} (attempt {ctx.Properties.GetValue(AttemptsKey, 0)})");
                    if (!replaySafe) request.Headers.ConnectionClose = true;
                    return await (replaySafe ? _http : _httpOnce).SendAsync(request, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken).ConfigureAwait(false);
                }, context).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is TimeoutRejectedException || ex is OperationCanceledException || ex is IOException)
            {
                int attempts = context.Properties.GetValue(AttemptsKey, 1);
                bool unknownOutcome = !replaySafe && method != HttpMethod.Get && !NeverSent(ex);
                string what = ex is TimeoutRejectedException timeout ? TimedOut(timeout, attemptTimeout, uploadBytes) : Describe(ex);
                throw new MetricaApiException(null, null, _token.Redact(what), operation, attempts, unknownOutcome, ex);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            using (response)
            {
                string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                int attempts = context.Properties.GetValue(AttemptsKey, 1);
                if ((int)response.StatusCode >= 300 && (int)response.StatusCode < 400)
                {
                    // Not followed (see ProxySettings.CreateHandler): nothing reached the redirect's target.
                    string target = response.Headers.Location?.ToString() ?? "no Location";
                    throw new MetricaApiException(response.StatusCode, "redirect", $"the API address answered HTTP {(int)response.StatusCode} with a redirect to " +
                        $"{Truncate(target)}; MetricaCrm follows no redirect (Metrica's API does not redirect, and the request would carry the data " +
                        "elsewhere): check -ApiBaseUri and the proxy", operation, attempts);
                }
                if (!response.IsSuccessStatusCode)
                {
                    var (type, message) = ParseError(body, response.ReasonPhrase);
                    if (type == MetricaApiException.DailyUserQuota) _budget?.MarkDaySpent();
                    bool unknownOutcome = !replaySafe && (int)response.StatusCode >= 500;
                    throw new MetricaApiException(response.StatusCode, type, _token.Redact(message), operation, attempts, unknownOutcome);
                }
                try
                {
                    return JsonDocument.Parse(body);
                }
                catch (JsonException)
                {
                    throw new MetricaApiException(response.StatusCode, null, "the answer was not JSON: " + Truncate(body), operation, attempts);
                }
            }
        }

        /// <summary>Which bound ran out, as the user can act on it: the attempt's (sized by the request unless -RequestTimeout set it) or the total.</summary>
        private string TimedOut(TimeoutRejectedException ex, TimeSpan attempt, long? uploadBytes)
        {
            string bound = _retry.AttemptTimeout != null ? "the -RequestTimeout"
                : uploadBytes is long bytes ? $"the timeout of a request sending {bytes / 1_000_000d:0.###} MB ({_retry.UploadBaseTimeout.TotalSeconds:0} s plus {_retry.UploadTimeoutPerMegabyte.TotalSeconds:0} s per MB, at most {_retry.MaxUploadTimeout.TotalHours:0.#} h)"
                : "the timeout of a read";
            return ex.Timeout == attempt
                ? $"no answer within {Span(attempt)}, {bound}; -RequestTimeout sets another bound for every attempt"
                : $"no answer within {Span(ex.Timeout)} of attempts and retries (each attempt bounded by {Span(attempt)}, {bound}); -RequestTimeout sets another bound for every attempt";
        }

        private static string Span(TimeSpan t) => t.TotalSeconds < 120 ? $"{t.TotalSeconds:0.###} s" : t.TotalMinutes < 120 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalHours:0.#} h";

        private static TimeoutStrategyOptions TimeoutOf(ResiliencePropertyKey<TimeSpan> key) => new TimeoutStrategyOptions
        {
            TimeoutGenerator = args => new ValueTask<TimeSpan>(args.Context.Properties.GetValue(key, TimeSpan.FromMinutes(10))),
        };

        private ResiliencePipeline<HttpResponseMessage> BuildPipeline(RetryOptions o)
        {
            // Each request's own bounds (see SendJsonAsync): seconds for a read, an upload's growing with its size.
            return new ResiliencePipelineBuilder<HttpResponseMessage>()
                .AddTimeout(TimeoutOf(TotalTimeoutKey))
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = Math.Max(0, o.MaxRetries) == 0 ? 1 : o.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = o.BaseDelay,
                    MaxDelay = o.MaxDelay,
                    ShouldHandle = args => new ValueTask<bool>(o.MaxRetries > 0 && ShouldRetry(args.Outcome, args.Context)),
                    DelayGenerator = args =>
                    {
                        var retryAfter = RetryAfter(args.Outcome.Result);
                        return new ValueTask<TimeSpan?>(retryAfter);
                    },
                    OnRetry = args =>
                    {
                        string why = args.Outcome.Result != null ? "HTTP " + (int)args.Outcome.Result.StatusCode : args.Outcome.Exception?.GetType().Name ?? "failure";
                        _log($"Retrying in {args.RetryDelay.TotalSeconds:0.#} s after {why} (retry {args.AttemptNumber + 1} of {o.MaxRetries})");
                        args.Outcome.Result?.Dispose();
                        return default;
                    },
                })
                .AddTimeout(TimeoutOf(AttemptTimeoutKey))
                .Build();
        }

        private bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
        {
            bool replaySafe = context.Properties.GetValue(ReplaySafeKey, false);
            if (outcome.Result is HttpResponseMessage r)
            {
                int code = (int)r.StatusCode;
                if (code == 429 || code == 420)
                {
                    // A daily quota is spent until 00:00 GMT: retrying within minutes only spends more requests.
                    if (IsDailyQuota(r)) return false;
                    var wait = RetryAfter(r);
                    return wait == null || wait <= _retry.MaxRetryAfter; // a quota reset hours away is not waited for
                }
                return code >= 500 && replaySafe;
            }
            var ex = outcome.Exception;
            if (ex == null || context.CancellationToken.IsCancellationRequested) return false;
            if (NeverSent(ex)) return true;
            return replaySafe && (ex is HttpRequestException || ex is TimeoutRejectedException || ex is IOException || ex is OperationCanceledException);
        }

        private static bool IsDailyQuota(HttpResponseMessage r)
        {
            // The body is already buffered (ResponseContentRead), so reading it here does not touch the network.
            string body = r.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            return MetricaApiException.IsDailyQuotaType(ParseError(body, null).type);
        }

        /// <summary>True when the connection was never made, so the server cannot have seen the request.</summary>
        private static bool NeverSent(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
            {
                if (e is SocketException se && (se.SocketErrorCode == SocketError.ConnectionRefused || se.SocketErrorCode == SocketError.HostNotFound || se.SocketErrorCode == SocketError.NetworkUnreachable))
                    return true;
                if (e is WebException we && (we.Status == WebExceptionStatus.ConnectFailure || we.Status == WebExceptionStatus.NameResolutionFailure))
                    return true;
            }
            return false;
        }

        private static TimeSpan? RetryAfter(HttpResponseMessage? r)
        {
            var header = r?.Headers.RetryAfter;
            if (header == null) return null;
            if (header.Delta is TimeSpan delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
            if (header.Date is DateTimeOffset date)
            {
                var d = date - DateTimeOffset.UtcNow;
                return d < TimeSpan.Zero ? TimeSpan.Zero : d;
            }
            return null;
        }

        private static (string? type, string message) ParseError(string body, string? reason)
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                string? type = null, message = Json.String(root, "message");
                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
                {
                    var first = errors[0];
                    type = Json.String(first, "error_type");
                    var parts = errors.EnumerateArray().Select(e =>
                    {
                        string m = Json.String(e, "message") ?? "";
                        string? loc = Json.String(e, "location");
                        return loc == null ? m : $"{m} ({loc})";
                    });
                    message = string.Join("; ", parts);
                }
                return (type, message ?? reason ?? "no message");
            }
            catch (JsonException)
            {
                return (null, string.IsNullOrWhiteSpace(body) ? reason ?? "no message" : Truncate(body));
            }
        }

        private static string Describe(Exception ex)
        {
            var parts = new List<string>();
            for (var e = ex; e != null; e = e.InnerException) parts.Add(e.Message);
            return string.Join(" -> ", parts.Distinct());
        }

        private static string Truncate(string s) => s.Length <= 500 ? s : s.Substring(0, 500) + "...";

        public void Dispose()
        {
            if (_ownsHttp) _http.Dispose();
        }
    }
}
