using System.Net;
using System.Text;
using MetricaCrm.Engine.Metrica;
using Xunit;

namespace MetricaCrm.Engine.Tests;

public sealed class MetricaClientTests
{
    private sealed class PagedUploads : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            var start = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
            bool secondPage = request.RequestUri!.Query.Contains("datetime_offset");
            // Page 1: 1000 uploads, newest first, the oldest at 12:00:00.500. Page 2: one more in that same second.
            var items = secondPage
                ? new[] { ("wanted", start.AddMilliseconds(100)) }
                : Enumerable.Range(0, 1000).Select(i => ($"u{i}", start.AddMilliseconds(500 + (999 - i) * 10))).ToArray();
            var json = "{\"uploadings\":[" + string.Join(",", items.Select(x =>
                $"{{\"uploading_id\":\"{x.Item1}\",\"datetime\":\"{x.Item2:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}\",\"api_validation_status\":\"PASSED\",\"elements_count\":1}}")) + "]}";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }

    [Fact]
    public async Task Finding_an_upload_pages_back_without_skipping_the_boundary_second()
    {
        var handler = new PagedUploads();
        using var client = new MetricaClient(new Uri("http://127.0.0.1:1"), MetricaToken.FromPlainText("t"), handler: handler);
        var found = await client.FindUploadAsync(5, "wanted", 3, CancellationToken.None);
        Assert.Equal("wanted", found?.UploadId);
        Assert.Equal(2, handler.Requests.Count);
        // The oldest of page 1 is 12:00:00.500: the offset is rounded up to 12:00:01 so 12:00:00.100 is still listed, and
        // sent 14 hours later, so that it is at or after 12:00:01 UTC whatever zone Metrica reads it in (unconfirmed).
        Assert.Contains("datetime_offset=2026-11-02%2002%3A00%3A01", handler.Requests[1].Query);
    }

    /// <summary>An offline uploads list of 10,000 and then 1 more: the docs number the first upload 0, in no stated order.</summary>
    private sealed class PagedOfflineUploads : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            int offset = Parameter(request.RequestUri!, "offset"), limit = Parameter(request.RequestUri!, "limit");
            var ids = Enumerable.Range(offset, Math.Max(0, Math.Min(limit, 10_001 - offset)));
            var json = "{\"uploadings\":[" + string.Join(",", ids.Select(i => $"{{\"id\":{i + 1},\"create_time\":\"2026-11-01T12:00:00Z\",\"status\":\"PROCESSED\"}}")) + "]}";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") });
        }
    }

    private static int Parameter(Uri uri, string name) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(uri.Query, "[?&]" + name + "=([0-9]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Listing_offline_uploads_since_a_time_reads_every_page()
    {
        var handler = new PagedOfflineUploads();
        using var client = new MetricaClient(new Uri("http://127.0.0.1:1"), MetricaToken.FromPlainText("t"), handler: handler);
        var request = new MetricaCrm.Engine.Upload.UploadRequest(MetricaCrm.Engine.Upload.UploadApi.Management, "offline_conversions",
            "offline_conversions/upload", true, "offline_conversions/uploadings");
        var listed = await client.ListUploadsSinceAsync(5, request, new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), CancellationToken.None);
        Assert.Equal(10_001, listed.Count);
        Assert.Equal("10001", listed[listed.Count - 1].UploadId);
        Assert.Equal(new[] { 0, 10_000 }, handler.Requests.Select(r => Parameter(r, "offset")));
    }

    /// <summary>
    /// The client's own handler (the system proxy with default credentials, as every cmdlet uses it) over a real
    /// socket: on net472 that is .NET Framework's (or Mono's) HTTP stack, not the test handlers above.
    /// </summary>
    [Fact]
    public async Task The_default_handler_sends_the_token_and_reads_a_UTF8_answer_over_a_socket()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var served = Task.Run(async () =>
            {
                using var socket = await listener.AcceptTcpClientAsync();
                var stream = socket.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[4096];
                while (!head.ToString().Contains("\r\n\r\n"))
                {
                    int n = await stream.ReadAsync(buffer, 0, buffer.Length);
                    if (n == 0) break;
                    head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }
                var body = Encoding.UTF8.GetBytes("{\"counter\":{\"id\":5,\"name\":\"Магазин «Ёлка»\",\"time_zone_name\":\"Asia/Yekaterinburg\",\"permission\":\"edit\"}}");
                var answer = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(answer, 0, answer.Length);
                await stream.WriteAsync(body, 0, body.Length);
                return head.ToString();
            });
            using var client = new MetricaClient(new Uri($"http://127.0.0.1:{port}"), MetricaToken.FromPlainText("y0_socket"), new RetryOptions { MaxRetries = 0 });
            var counter = await client.GetCounterAsync(5, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            Assert.Equal((5L, "Магазин «Ёлка»", "Asia/Yekaterinburg", "edit"), (counter.Id, counter.Name, counter.TimeZoneName, counter.Permission));
            var request = (await served).Split(new[] { "\r\n" }, StringSplitOptions.None);
            Assert.Equal("GET /management/v1/counter/5 HTTP/1.1", request[0]);
            Assert.Contains("Authorization: OAuth y0_socket", request);
            Assert.Contains(request, h => h.StartsWith("User-Agent: MetricaCrm/", StringComparison.Ordinal));
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>A loopback server that takes connections and reads requests but never answers; counts the connections.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<System.Net.Sockets.TcpClient> _held = new();
        private int _connections;

        public SilentServer()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                try
                {
                    while (true)
                    {
                        var socket = await _listener.AcceptTcpClientAsync();
                        lock (_held) _held.Add(socket);
                        Interlocked.Increment(ref _connections);
                        _ = socket.GetStream().CopyToAsync(Stream.Null); // reads what is sent, answers nothing
                    }
                }
                catch (Exception ex) when (ex is ObjectDisposedException || ex is System.Net.Sockets.SocketException || ex is InvalidOperationException) { }
            });
        }

        public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        public int Connections => Volatile.Read(ref _connections);

        public void Dispose()
        {
            _listener.Stop();
            lock (_held) foreach (var socket in _held) socket.Dispose();
        }
    }

    [Fact]
    public async Task An_unanswered_read_fails_within_the_read_timeout_and_says_which_bound_ran_out()
    {
        using var server = new SilentServer();
        using var client = new MetricaClient(server.Address, MetricaToken.FromPlainText("y0_silent"),
            new RetryOptions { ReadTimeout = TimeSpan.FromSeconds(1), MaxRetries = 1, BaseDelay = TimeSpan.FromMilliseconds(10) });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<MetricaApiException>(() => client.GetCounterAsync(5, CancellationToken.None));
        clock.Stop();
        // Two attempts of one second (a read is safe to repeat), not ten minutes each.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(15));
        Assert.Equal(2, server.Connections);
        Assert.Contains("no answer within 1 s, the timeout of a read; -RequestTimeout sets another bound", ex.Message);
        Assert.Contains("Reading counter 5", ex.Message);
        Assert.False(ex.MayHaveBeenApplied);
        Assert.DoesNotContain("y0_silent", ex.Message);
    }

    [Fact]
    public void The_default_bounds_are_seconds_for_a_read_and_grow_with_an_upload_up_to_a_cap()
    {
        var o = new RetryOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), o.AttemptTimeoutFor(null));
        Assert.Equal(TimeSpan.FromMinutes(2), o.TotalTimeoutFor(o.AttemptTimeoutFor(null)));   // a read still gets retries
        Assert.Equal(TimeSpan.FromMinutes(2), o.AttemptTimeoutFor(0));
        Assert.Equal(TimeSpan.FromSeconds(120 + 10 * 50), o.AttemptTimeoutFor(50_000_000));      // 50 MB
        Assert.Equal(TimeSpan.FromSeconds(121), o.AttemptTimeoutFor(1));                          // rounded up to whole seconds
        Assert.Equal(TimeSpan.FromSeconds(120 + 10 * 1000), o.AttemptTimeoutFor(1_000_000_000));  // Metrica's 1 GB limit: 2.8 h
        Assert.Equal(TimeSpan.FromHours(3), o.AttemptTimeoutFor(5_000_000_000));                   // capped
        Assert.Equal(TimeSpan.FromSeconds(2 * 620), o.TotalTimeoutFor(TimeSpan.FromSeconds(620)));
    }

    [Fact]
    public async Task A_request_timeout_overrides_the_read_and_the_upload_bounds()
    {
        var given = new RetryOptions { AttemptTimeout = TimeSpan.FromMilliseconds(700), ReadTimeout = TimeSpan.FromMinutes(5), MaxRetries = 0 };
        Assert.Equal(TimeSpan.FromMilliseconds(700), given.AttemptTimeoutFor(null));
        Assert.Equal(TimeSpan.FromMilliseconds(700), given.AttemptTimeoutFor(1_000_000_000));
        Assert.Equal(TimeSpan.FromMinutes(3), new RetryOptions { TotalTimeout = TimeSpan.FromMinutes(3) }.TotalTimeoutFor(TimeSpan.FromHours(1)));

        using var server = new SilentServer();
        using var client = new MetricaClient(server.Address, MetricaToken.FromPlainText("t"), given);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<MetricaApiException>(() => client.GetGoalsAsync(5, CancellationToken.None));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(10));
        Assert.Contains("no answer within 0.7 s, the -RequestTimeout", ex.Message);
    }

    [Fact]
    public async Task An_unanswered_upload_that_is_not_safe_to_repeat_is_sent_once_and_may_have_been_applied()
    {
        using var server = new SilentServer();
        string dir = TestDirectory.Create("metricacrm-timeout-");
        try
        {
            string file = Path.Combine(dir, "contacts_0001.csv");
            File.WriteAllText(file, "uniq_id,phones\nK-1,\"79995551111\"\n");
            using var client = new MetricaClient(server.Address, MetricaToken.FromPlainText("t"),
                new RetryOptions { AttemptTimeout = TimeSpan.FromMilliseconds(500), MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(10) });
            var append = new MetricaCrm.Engine.Upload.UploadRequest(MetricaCrm.Engine.Upload.UploadApi.Cdp, "contacts", "data/contacts/csv?merge_mode=APPEND&delimiter_type=COMMA", replaySafe: false);
            var ex = await Assert.ThrowsAsync<MetricaApiException>(() =>
                client.SendUploadAsync(5, append, new MetricaCrm.Engine.Upload.BatchFile(file, 1, "text/csv"), CancellationToken.None));
            // APPEND twice may add the values twice: a timed-out attempt may have been applied, so it is never repeated.
            Assert.True(ex.MayHaveBeenApplied);
            Assert.Equal(1, server.Connections);
            Assert.Contains("no answer within 0.5 s, the -RequestTimeout", ex.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Token_never_shows_itself()
    {
        var token = MetricaToken.FromPlainText("OAuth y0_secret");
        Assert.Equal("OAuth ***", token.ToString());
        Assert.Equal("refused: ***", token.Redact("refused: y0_secret"));
    }
}
