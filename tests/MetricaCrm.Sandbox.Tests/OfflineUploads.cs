using System.Net.Http.Headers;
using System.Text.Json;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>Requests and test data for the offline conversions and calls endpoints.</summary>
public static class OfflineUploads
{
    public const string Conversions = "/management/v1/counter/1/offline_conversions/upload";
    public const string Calls = "/management/v1/counter/1/offline_conversions/upload_calls?new_goal_name=Calls";

    /// <summary>Unix seconds <paramref name="hours"/> before now.</summary>
    public static long HoursAgo(double hours) => DateTimeOffset.UtcNow.AddHours(-hours).ToUnixTimeSeconds();

    /// <summary>An ISO 8601 UTC time <paramref name="hours"/> before now, as the visitors endpoint takes it.</summary>
    public static string VisitHoursAgo(double hours) => DateTimeOffset.UtcNow.AddHours(-hours).ToString("O");

    /// <summary>A multipart body whose part <c>file</c> holds exactly <paramref name="bytes"/>.</summary>
    public static MultipartFormDataContent RawFile(byte[] bytes)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "file", "data.csv" } };
    }

    public static async Task<JsonElement> AcceptedAsync(this SandboxClient s, string pathAndQuery, string csv)
    {
        var response = await s.PostAsync(pathAndQuery, SandboxClient.CsvFile(csv));
        Assert.True(response.Status == 200, $"{response.Status}: {response.Body}");
        return response.Body.GetProperty("uploading");
    }

    public static async Task AddVisitorsAsync(this SandboxClient s, string json, long counter = 1)
    {
        var response = await s.PostAsync($"/sandbox/counters/{counter}/visitors", SandboxClient.Json(json));
        Assert.True(response.Status == 200, $"{response.Status}: {response.Body}");
    }

    public static int Int(this JsonElement e, string name) => e.GetProperty(name).GetInt32();
    public static string? Str(this JsonElement e, string name) => e.GetProperty(name).GetString();
}

/// <summary>A clock the test moves by hand, to walk an upload through its processing states.</summary>
public sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
    public override DateTimeOffset GetUtcNow() => Now;
}
