using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricaCrm.Sandbox.OfflineConversions;

/// <summary>
/// Metrica's offline conversions and calls uploads (Management API), their upload lists and statuses, and the sandbox's
/// own endpoints to add site visitors and to see the stored conversions and calls.
/// </summary>
public static partial class OfflineConversionEndpoints
{
    private const string Base = "/management/v1/counter/{id:long}/offline_conversions";
    private static readonly JsonSerializerOptions RecordJson = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static void Map(WebApplication app, SandboxState state, SandboxOptions options)
    {
        var error = SandboxServer.Error;
        app.MapPost(Base + "/upload", (long id, HttpRequest request) => UploadAsync(state, options, id, request, OfflineUploadKind.Conversions));
        app.MapPost(Base + "/upload_calls", (long id, HttpRequest request) => UploadAsync(state, options, id, request, OfflineUploadKind.Calls));
        app.MapGet(Base + "/uploadings", (long id, HttpRequest request) => List(state, options, id, request, OfflineUploadKind.Conversions));
        app.MapGet(Base + "/calls_uploadings", (long id, HttpRequest request) => List(state, options, id, request, OfflineUploadKind.Calls));
        app.MapGet(Base + "/uploading/{uploadId}", (long id, string uploadId) => One(state, options, id, uploadId, OfflineUploadKind.Conversions));
        app.MapGet(Base + "/calls_uploading/{uploadId}", (long id, string uploadId) => One(state, options, id, uploadId, OfflineUploadKind.Calls));

        // ---- sandbox inspection and control (not Metrica endpoints) ----
        app.MapPost("/sandbox/counters/{id:long}/visitors", async (long id, HttpRequest request) =>
        {
            List<Visitor>? visitors;
            try { visitors = await JsonSerializer.DeserializeAsync<List<Visitor>>(request.Body, JsonSerializerOptions.Web); }
            catch (JsonException ex) { return error(400, "invalid_json", "Malformed JSON: " + ex.Message); }
            if (visitors == null) return error(400, "invalid_json", "Expected an array of visitors");
            foreach (var v in visitors)
            {
                if (v == null) return error(400, "invalid_json", "A visitor is null");
                // JSON nulls and empty strings both mean "no such identifier".
                v.ClientId = NullIfEmpty(v.ClientId);
                v.UserId = NullIfEmpty(v.UserId);
                v.Yclid = NullIfEmpty(v.Yclid);
                v.PurchaseIds = (v.PurchaseIds ?? new()).Where(p => !string.IsNullOrEmpty(p)).ToList();
                v.Visits ??= new();
                if (v.ClientId == null && v.UserId == null && v.Yclid == null && v.PurchaseIds.Count == 0)
                    return error(400, "invalid_parameter", "A visitor needs clientId, userId, yclid or purchaseIds");
                if (v.ClientId != null && !v.ClientId.All(char.IsAsciiDigit)) return error(400, "invalid_parameter", $"clientId '{v.ClientId}' is not a number");
                if (v.Visits.Count == 0) return error(400, "invalid_parameter", "A visitor needs at least one visit");
            }
            var counter = state.Counter(id);
            lock (counter.Gate)
            {
                counter.Offline.Visitors.AddRange(visitors);
                return Results.Json(new { visitors = counter.Offline.Visitors.Count });
            }
        });
        app.MapGet("/sandbox/counters/{id:long}/visitors", (long id) =>
        {
            var c = state.Counter(id);
            lock (c.Gate) return Results.Json(c.Offline.Visitors.ToArray(), JsonSerializerOptions.Web);
        });
        app.MapGet("/sandbox/counters/{id:long}/conversions", (long id) =>
        {
            var c = state.Counter(id);
            lock (c.Gate) return Results.Json(new { conversions = c.Offline.Conversions.Values.ToArray() }, RecordJson);
        });
        app.MapGet("/sandbox/counters/{id:long}/calls", (long id) =>
        {
            var c = state.Counter(id);
            lock (c.Gate) return Results.Json(new { callGoalName = c.Offline.CallGoalName, calls = c.Offline.Calls.Values.ToArray() }, RecordJson);
        });
    }

    private static async Task<IResult> UploadAsync(SandboxState state, SandboxOptions options, long id, HttpRequest request, OfflineUploadKind kind)
    {
        var error = SandboxServer.Error;
        var counter = state.Counter(id);
        string? comment = request.Query["comment"];
        if (comment != null)
        {
            if (comment.Length > 255) return error(400, "invalid_parameter", "Wrong parameter value: comment длиннее 255 символов");
            // The docs allow digits, Latin and Cyrillic letters; spaces are not mentioned, but people write "shop sales".
            if (!IsComment(comment)) return error(400, "invalid_parameter", "Комментарий содержит недопустимые символы.");
        }
        string type = "BASIC";
        if (kind == OfflineUploadKind.Conversions && request.Query["type"].ToString() is { Length: > 0 } t)
        {
            if (t is not ("BASIC" or "CALLS" or "CHATS")) return error(400, "invalid_parameter", $"Wrong parameter value: type={t} (BASIC, CALLS или CHATS)");
            type = t;
        }
        // Calls uploads have no type parameter; the sandbox reports them as CALLS (unconfirmed: the docs' calls body has no type).
        if (kind == OfflineUploadKind.Calls) type = "CALLS";
        string? clientIdType = request.Query["client_id_type"].ToString() is { Length: > 0 } cit ? cit : null;
        if (clientIdType != null && ConversionFileRules.ClientIdTypeColumn(clientIdType) == null)
            return error(400, "invalid_parameter", $"Wrong parameter value: client_id_type={clientIdType} (CLIENT_ID, USER_ID или YCLID)");
        // Optional (uploadcalls.md: "the name of a new goal for calls if there is none; ignored if there is one"), and call
        // trackers send none: a calls upload without it is accepted. Which goal Metrica then counts the calls to is unconfirmed.
        string? newGoalName = request.Query["new_goal_name"].ToString() is { Length: > 0 } g ? g : null;

        if (!request.HasFormContentType || !(request.ContentType ?? "").StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return error(400, "invalid_uploading", "Некорректный формат multipart запроса.");
        IFormCollection form;
        try { form = await request.ReadFormAsync(); }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            return error(400, "invalid_uploading", "Некорректный формат multipart запроса.");
        }
        var part = form.Files.GetFile("file");
        if (part == null) return error(400, "invalid_uploading", "Не найден параметр запроса.");
        // upload_1.md and the FAQ: files up to 1 GB (the wording of the refusal is ours).
        if (part.Length > state.MaxFileBytes) return error(400, "invalid_uploading", "Размер файла превышает 1 ГБ");
        // Read straight into an array of the part's size: a growing copy would hold the file two or three times over.
        var bytes = new byte[part.Length];
        using (var stream = part.OpenReadStream()) await stream.ReadExactlyAsync(bytes);

        var now = options.Clock.GetUtcNow();
        var parsed = ConversionFileRules.Parse(bytes, kind, now, clientIdType);
        if (parsed.Error != null) return error(400, "invalid_uploading", parsed.Error);

        // A row without a single identifier value does not pass validation: it counts in source_quantity only.
        var valid = parsed.Rows.Where(r => r.HasIdentifier).ToList();
        OfflineUpload upload;
        lock (counter.Gate)
        {
            var offline = counter.Offline;
            if (kind == OfflineUploadKind.Calls) offline.CallGoalName ??= newGoalName;
            upload = new OfflineUpload
            {
                Id = offline.NextUploadId(),
                Kind = kind,
                CreateTime = now,
                Comment = comment,
                Type = type,
                FileText = StoredUpload.KeptText(bytes),
                // Echoed when sent; otherwise named after the file's first identifier column (a PurchaseId-only file has none).
                ClientIdType = clientIdType ?? parsed.IdentifierColumns.Select(c => c switch
                {
                    "ClientId" => "CLIENT_ID",
                    "UserId" => "USER_ID",
                    "Yclid" => "YCLID",
                    _ => null,
                }).FirstOrDefault(c => c != null),
                SourceQuantity = parsed.SourceQuantity,
                LineQuantity = valid.Count,
            };
            foreach (var row in valid)
            {
                row.UploadId = upload.Id;
                if (kind == OfflineUploadKind.Conversions)
                {
                    // A Target that is no JS goal of the counter is counted, not refused: the API reports goal_not_found_quantity.
                    bool goalKnown = counter.Goals.Contains(row.Target!);
                    row.Outcome = goalKnown ? offline.Match(row, now) : RowOutcome.GoalNotFound;
                    offline.Conversions[row] = row;
                }
                else
                {
                    // Static calls are never linked to visits; they still show in the call reports.
                    row.StaticCall ??= false;
                    row.Outcome = row.StaticCall == true ? RowOutcome.StaticCall : offline.Match(row, now);
                    if (row.StaticCall == true) upload.StaticCallsQuantity++; else upload.DynamicCallsQuantity++;
                    offline.Calls[row] = row;
                }
                if (row.Outcome == RowOutcome.GoalNotFound) upload.GoalNotFoundQuantity++;
                if (row.Outcome == RowOutcome.UserNotFound) upload.UserNotFoundQuantity++;
                if (row.Outcome == RowOutcome.Linked) upload.LinkedQuantity++;
            }
            offline.Uploads.Add(upload);
        }
        SandboxServer.ReleaseAfterUpload(bytes.Length);
        return Results.Json(new { uploading = upload.ToJson(now, options.ProcessingDelay) });
    }

    private static IResult List(SandboxState state, SandboxOptions options, long id, HttpRequest request, OfflineUploadKind kind)
    {
        var error = SandboxServer.Error;
        int limit = 10000, offset = 0;
        if (request.Query.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
            return error(400, "invalid_parameter", $"Wrong parameter value: limit={l}");
        if (request.Query.TryGetValue("offset", out var o) && !int.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
            return error(400, "invalid_parameter", $"Wrong parameter value: offset={o}");
        string? type = null;
        if (kind == OfflineUploadKind.Conversions && request.Query["type"].ToString() is { Length: > 0 } t)
        {
            if (t is not ("BASIC" or "CALLS" or "CHATS")) return error(400, "invalid_parameter", $"Wrong parameter value: type={t} (BASIC, CALLS или CHATS)");
            type = t;
        }
        var now = options.Clock.GetUtcNow();
        var counter = state.Counter(id);
        lock (counter.Gate)
        {
            // Offset 0 is the first upload (the calls list's docs), so the list runs oldest first.
            var list = counter.Offline.Uploads.Where(u => u.Kind == kind && (type == null || u.Type == type))
                .Skip(offset).Take(limit).Select(u => u.ToJson(now, options.ProcessingDelay)).ToArray();
            return Results.Json(new { uploadings = list });
        }
    }

    private static IResult One(SandboxState state, SandboxOptions options, long id, string uploadId, OfflineUploadKind kind)
    {
        if (!long.TryParse(uploadId, NumberStyles.None, CultureInfo.InvariantCulture, out long number))
            return SandboxServer.Error(400, "invalid_parameter", $"Wrong parameter value: id={uploadId}");
        var counter = state.Counter(id);
        lock (counter.Gate)
        {
            var upload = counter.Offline.Uploads.FirstOrDefault(u => u.Kind == kind && u.Id == number);
            return upload == null
                ? SandboxServer.Error(404, "not_found", $"Загрузка {number} не найдена")
                : Results.Json(new { uploading = upload.ToJson(options.Clock.GetUtcNow(), options.ProcessingDelay) });
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>
    /// Digits, Latin letters, Cyrillic letters (the letters of U+0400-U+04FF, Ukrainian, Belarusian and others as well as
    /// Russian: the docs say "Cyrillic", not "Russian") and spaces (our reading). The block's signs and combining marks
    /// (U+0482-U+0489) are no letters and are refused.
    /// </summary>
    public static bool IsComment(string comment)
    {
        foreach (char c in comment)
            if (!(c is >= '0' and <= '9' or >= 'a' and <= 'z' or >= 'A' and <= 'Z' or ' ' || c is >= '\u0400' and <= '\u04FF' && char.IsLetter(c))) return false;
        return true;
    }
}
