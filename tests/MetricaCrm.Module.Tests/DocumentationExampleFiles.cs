using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MetricaCrm.Sandbox;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// The examples copied from Metrica's documentation into tests/conformance (sources in its SOURCES.md), and the raw
/// request each makes, sent as the docs show it to a fresh sandbox of its own: what that sandbox then holds is what the
/// module must make the other one hold from the equivalent CRM input.
/// </summary>
internal static class DocumentationExampleFiles
{
    public const long Counter = 2215573;
    public const string Cdp = "/cdp/api/v1/counter/2215573";
    public const string Management = "/management/v1/counter/2215573";

    public static string PathOf(string relativePath) => Path.Combine(RepoPaths.Root(), "tests", "conformance", relativePath);

    /// <summary>The file's text without its leading "# source: ..." lines.</summary>
    public static string Text(string relativePath) => string.Join('\n',
        File.ReadAllText(PathOf(relativePath), new UTF8Encoding(false)).Replace("\r\n", "\n").Split('\n').SkipWhile(l => l.StartsWith("# ", StringComparison.Ordinal)));

    /// <summary>
    /// An .http example's path and query (the docs lay the query over indented lines; joined, each value URL-encoded) and
    /// the CSV of its one text/csv part, between that part's headers and the closing boundary.
    /// </summary>
    public static (string PathAndQuery, string Csv) HttpExample(string relativePath)
    {
        var lines = Text(relativePath).Split('\n').ToList();
        int i = 0;
        var target = new StringBuilder(lines[i++]);
        while (lines[i].StartsWith(' ')) target.Append(lines[i++].Trim());
        var uri = new Uri(target.ToString().Split(' ', 2)[1]);
        string query = string.Join("&", uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var kv = Uri.UnescapeDataString(pair).Split('=', 2);
            return kv[0] + "=" + Uri.EscapeDataString(kv.Length > 1 ? kv[1] : "");
        }));
        int part = lines.FindIndex(l => l.StartsWith("Content-Type: text/csv", StringComparison.Ordinal));
        var csv = lines.Skip(part + 2).TakeWhile(l => !l.StartsWith("--", StringComparison.Ordinal));
        return (uri.AbsolutePath + "?" + query, string.Join('\n', csv) + "\n");
    }

    /// <summary>A fresh sandbox, with the JS goals the example names, that got the example's raw requests one by one, each answered 200.</summary>
    public static async Task<SandboxServer> RawAsync(string[] goals, params (string PathAndQuery, HttpContent Content)[] requests)
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        sandbox.State.Counter(Counter).Goals.AddRange(goals);
        using var http = new HttpClient { BaseAddress = sandbox.BaseUri };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "OAuth " + SandboxOptions.DefaultToken);
        foreach (var (pathAndQuery, content) in requests)
        {
            using var answer = await http.PostAsync(pathAndQuery, content);
            Assert.True(answer.IsSuccessStatusCode, pathAndQuery + ": " + await answer.Content.ReadAsStringAsync());
        }
        return sandbox;
    }

    /// <summary>The orders a sandbox stores, simple and detailed, as its inspection endpoint lists them.</summary>
    public static async Task<List<StoredOrder>> OrdersAsync(SandboxServer sandbox)
    {
        using var http = new HttpClient { BaseAddress = sandbox.BaseUri };
        return (await http.GetFromJsonAsync<List<StoredOrder>>($"/sandbox/counters/{Counter}/orders"))!;
    }

    public static StringContent JsonBody(string relativePath) => new(Text(relativePath), Encoding.UTF8, "application/json");

    /// <summary>A multipart body with one part "file" holding <paramref name="csv"/>, as the examples send it.</summary>
    public static MultipartFormDataContent CsvPart(string csv)
    {
        var file = new ByteArrayContent(new UTF8Encoding(false).GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "file", "data.csv" } };
    }
}
