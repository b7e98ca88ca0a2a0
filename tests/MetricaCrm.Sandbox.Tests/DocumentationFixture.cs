using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>
/// The examples copied from Metrica's documentation into tests/conformance (see its SOURCES.md): read as published, and
/// .http requests sent to the sandbox as they are written, headers and body included.
/// </summary>
public static class DocumentationFixture
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "conformance");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("tests/conformance not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The file's text without its leading "# source: ..." lines (which name where the docs show it).</summary>
    public static string Text(string relativePath)
    {
        var lines = System.IO.File.ReadAllText(Path.Combine(Root.Value, relativePath), new UTF8Encoding(false)).Split('\n');
        return string.Join('\n', lines.SkipWhile(l => l.StartsWith("# ", StringComparison.Ordinal)));
    }

    public static JsonElement Json(string relativePath) => JsonDocument.Parse(Text(relativePath)).RootElement.Clone();

    /// <summary>
    /// An .http request as the docs print it: the request line (its target may continue on indented lines, as the
    /// contacts example lays out its query), headers, an empty line, the body. The host is dropped (the sandbox's is
    /// used), each query value is URL-encoded as any client does, and lines end in CRLF as multipart framing requires
    /// (RFC 7578; a web page shows lines, not their ends). Headers are sent as written, the docs' typos included.
    /// </summary>
    public static HttpRequestMessage Request(string relativePath)
    {
        var lines = Text(relativePath).Replace("\r\n", "\n").Split('\n').ToList();
        int i = 0;
        var target = new StringBuilder(lines[i++]);
        while (lines[i].StartsWith(' ')) target.Append(lines[i++].Trim());
        var requestLine = target.ToString().Split(' ', 2);
        var uri = new Uri(requestLine[1]);
        string query = string.Join("&", uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var kv = Uri.UnescapeDataString(pair).Split('=', 2);
            return kv[0] + "=" + Uri.EscapeDataString(kv.Length > 1 ? kv[1] : "");
        }));
        var headers = new List<(string Name, string Value)>();
        for (; lines[i].Length > 0; i++)
        {
            var h = lines[i].Split(':', 2);
            headers.Add((h[0].Trim(), h[1].Trim()));
        }
        string body = string.Join("\r\n", lines.Skip(i + 1));
        var content = new ByteArrayContent(new UTF8Encoding(false).GetBytes(body));
        var request = new HttpRequestMessage(new HttpMethod(requestLine[0]), uri.AbsolutePath + (query.Length > 0 ? "?" + query : "")) { Content = content };
        foreach (var (name, value) in headers)
            if (!content.Headers.TryAddWithoutValidation(name, value)) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    /// <summary>Sends a request and reads Metrica's JSON answer.</summary>
    public static async Task<(int Status, JsonElement Body)> SendAsync(this SandboxClient s, HttpRequestMessage request)
    {
        using (request)
        using (var response = await s.Http.SendAsync(request))
        {
            string text = await response.Content.ReadAsStringAsync();
            return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> has every property of the docs' example <paramref name="documented"/>, of
    /// the same JSON kind (a documented "string" placeholder is any string, 0 any number), recursively; more properties
    /// are allowed (later pages add some). Date-times must have the example's layout, e.g. 2022-12-29T18:02:01Z.
    /// </summary>
    public static void AssertShape(JsonElement documented, JsonElement actual, string path = "$")
    {
        if (documented.ValueKind is JsonValueKind.True or JsonValueKind.False)
            Assert.True(actual.ValueKind is JsonValueKind.True or JsonValueKind.False, $"{path}: a boolean expected, got {actual}");
        else Assert.True(documented.ValueKind == actual.ValueKind, $"{path}: {documented.ValueKind} expected, got {actual.ValueKind} ({actual})");
        switch (documented.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in documented.EnumerateObject())
                {
                    Assert.True(actual.TryGetProperty(p.Name, out var value), $"{path}.{p.Name} is missing in {actual}");
                    AssertShape(p.Value, value, path + "." + p.Name);
                }
                break;
            case JsonValueKind.Array when documented.GetArrayLength() > 0:
                Assert.True(actual.GetArrayLength() > 0, $"{path}: an empty array cannot show the documented items' shape");
                foreach (var item in actual.EnumerateArray()) AssertShape(documented[0], item, path + "[]");
                break;
            case JsonValueKind.String when System.Text.RegularExpressions.Regex.IsMatch(documented.GetString()!, @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"):
                Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", actual.GetString());
                break;
            case JsonValueKind.Number when documented.TryGetInt64(out _):
                Assert.True(actual.TryGetInt64(out _), $"{path}: an integer expected, got {actual}");
                break;
        }
    }

    public static MultipartFormDataContent File(string relativePath, string partName = "file", string? fileName = "data.csv", string? contentType = "text/csv")
    {
        var part = new ByteArrayContent(new UTF8Encoding(false).GetBytes(Text(relativePath)));
        if (contentType != null) part.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var form = new MultipartFormDataContent();
        if (fileName != null) form.Add(part, partName, fileName); else form.Add(part, partName);
        return form;
    }
}
