global using Xunit;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MetricaCrm.Sandbox;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>A sandbox on a free loopback port and an HttpClient that sends raw requests to it, as any client would.</summary>
public sealed class SandboxClient : IAsyncDisposable
{
    private SandboxClient(SandboxServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseUri };
        Http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "OAuth " + SandboxOptions.DefaultToken);
    }

    public SandboxServer Server { get; }
    public HttpClient Http { get; }
    public SandboxState State => Server.State;

    public static async Task<SandboxClient> StartAsync(SandboxOptions? options = null) =>
        new SandboxClient(await SandboxServer.StartAsync(options ?? new SandboxOptions()));

    /// <summary>A multipart body with one part named <paramref name="partName"/> holding <paramref name="csv"/> (UTF-8, no BOM).</summary>
    public static MultipartFormDataContent CsvFile(string csv, string partName = "file")
    {
        var file = new ByteArrayContent(new UTF8Encoding(false).GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var form = new MultipartFormDataContent();
        form.Add(file, partName, "data.csv");
        return form;
    }

    public static StringContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    public async Task<(int Status, JsonElement Body)> SendAsync(HttpMethod method, string pathAndQuery, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery) { Content = content };
        using var response = await Http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, body);
    }

    public Task<(int Status, JsonElement Body)> PostAsync(string pathAndQuery, HttpContent content) => SendAsync(HttpMethod.Post, pathAndQuery, content);
    public Task<(int Status, JsonElement Body)> GetAsync(string pathAndQuery) => SendAsync(HttpMethod.Get, pathAndQuery);

    /// <summary>Asserts Metrica's error envelope: {"errors":[{"error_type","message"}],"code","message"}.</summary>
    public static void AssertError((int Status, JsonElement Body) response, int status, string errorType, string? messageContains = null)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal(status, response.Body.GetProperty("code").GetInt32());
        var first = response.Body.GetProperty("errors")[0];
        Assert.Equal(errorType, first.GetProperty("error_type").GetString());
        if (messageContains != null) Assert.Contains(messageContains, first.GetProperty("message").GetString());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
