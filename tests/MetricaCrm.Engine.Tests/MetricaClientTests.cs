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
        // The oldest of page 1 is 12:00:00.500: the offset is rounded up to 12:00:01 so 12:00:00.100 is still listed.
        Assert.Contains("datetime_offset=2026-11-01%2012%3A00%3A01", handler.Requests[1].Query);
    }

    [Fact]
    public void Token_never_shows_itself()
    {
        var token = MetricaToken.FromPlainText("OAuth y0_secret");
        Assert.Equal("OAuth ***", token.ToString());
        Assert.Equal("refused: ***", token.Redact("refused: y0_secret"));
    }
}
