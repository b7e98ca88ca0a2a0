using System.Text;
using Microsoft.AspNetCore.Http;

namespace MetricaCrm.Sandbox.Cdp;

/// <summary>What every CDP data upload shares: the query rules, the multipart file, the listing, and the order rows apply in.</summary>
public static class CdpUploads
{
    /// <summary>Metrica's documented file limit.</summary>
    public const long MaxFileBytes = 1_000_000_000;

    public sealed record Request(string Mode, char Delimiter, byte[] Body);

    /// <summary>Reads merge_mode, delimiter_type and the body: a multipart part named "file" (CSV) or the JSON request body.</summary>
    public static async Task<(Request? Request, IResult? Error)> ReadAsync(HttpRequest request, bool csv, long maxFileBytes)
    {
        string? mode = request.Query["merge_mode"];
        if (string.IsNullOrEmpty(mode)) return (null, SandboxServer.Error(400, "missing_parameter", "Required request parameter 'merge_mode' is not present"));
        // The documented values, spelled as documented: whether Metrica also takes "save" or "comma" is unconfirmed.
        if (mode is not ("SAVE" or "UPDATE" or "APPEND")) return (null, SandboxServer.Error(400, "invalid_parameter", $"Wrong parameter value: merge_mode={mode} (SAVE, UPDATE или APPEND)"));
        string delimiterType = request.Query["delimiter_type"].ToString() is { Length: > 0 } d ? d : "COMMA";
        if (delimiterType is not ("COMMA" or "SEMICOLON")) return (null, SandboxServer.Error(400, "invalid_parameter", $"Wrong parameter value: delimiter_type={delimiterType} (COMMA или SEMICOLON)"));
        byte[] bytes;
        if (csv)
        {
            if (!request.HasFormContentType || !(request.ContentType ?? "").StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
                return (null, SandboxServer.Error(400, "invalid_uploading", "Некорректный формат multipart запроса."));
            IFormCollection form;
            try { form = await request.ReadFormAsync(); }
            catch (InvalidDataException) { return (null, SandboxServer.Error(400, "invalid_uploading", "Некорректный формат multipart запроса.")); }
            catch (IOException) { return (null, SandboxServer.Error(400, "invalid_uploading", "Некорректный формат multipart запроса.")); }
            var file = form.Files.GetFile("file");
            if (file == null) return (null, SandboxServer.Error(400, "invalid_uploading", "Не найден параметр запроса."));
            // The wording is ours: Metrica documents the 1 GB limit, not its refusal.
            if (file.Length > maxFileBytes) return (null, SandboxServer.Error(400, "invalid_uploading", "Размер файла превышает 1 ГБ"));
            bytes = new byte[file.Length];
            using var ms = new MemoryStream(bytes);
            await file.CopyToAsync(ms);
        }
        else
        {
            using var ms = new MemoryStream();
            await request.Body.CopyToAsync(ms);
            bytes = ms.ToArray();
        }
        return (new Request(mode, delimiterType == "COMMA" ? ',' : ';', bytes), null);
    }

    /// <summary>UTF-8 without BOM (the BOM refusal is stricter than documented: whether Metrica tolerates one is unconfirmed).</summary>
    public static string? CheckEncoding(byte[] file)
    {
        if (file.Length == 0 || file.All(b => b == '\r' || b == '\n' || b == ' ')) return "The file is empty";
        if (file.Length >= 3 && file[0] == 0xEF && file[1] == 0xBB && file[2] == 0xBF)
            return "Неверный формат данных, ошибка в строке номер 1: файл должен быть в кодировке UTF-8 без BOM";
        try { new UTF8Encoding(false, true).GetCharCount(file); }
        catch (DecoderFallbackException) { return "Неверный формат данных: файл должен быть в кодировке UTF-8"; }
        return null;
    }

    /// <summary>Adds an upload to the counter's list; later uploads sort after earlier ones even within one clock tick.</summary>
    public static void List(CounterState counter, StoredUpload upload)
    {
        var last = counter.Uploads.LastOrDefault();
        if (last != null && upload.DateTime <= last.DateTime) upload.DateTime = last.DateTime.AddMilliseconds(1);
        counter.Uploads.Add(upload);
    }

    /// <summary>
    /// The order rows are applied in. Metrica applies rows that repeat an id within one file in random order, so the
    /// sandbox does too (seeded by <see cref="SandboxOptions.Seed"/>): a client that does not deduplicate is caught.
    /// Rows with distinct ids keep the file's order.
    /// </summary>
    public static IEnumerable<T> ApplyOrder<T>(IReadOnlyList<T> rows, Func<T, string> id, Random random)
    {
        // Most files repeat no id: then grouping every row is wasted (and the random draws are the same, none).
        var seen = new HashSet<string>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
            if (!seen.Add(id(row))) return Shuffled(rows, id, random);
        return rows;
    }

    private static IEnumerable<T> Shuffled<T>(IReadOnlyList<T> rows, Func<T, string> id, Random random)
    {
        var byId = rows.GroupBy(id).Where(g => g.Count() > 1).ToDictionary(g => g.Key, g => new Queue<T>(g.OrderBy(_ => random.Next())));
        foreach (var row in rows)
            yield return byId.TryGetValue(id(row), out var shuffled) ? shuffled.Dequeue() : row;
    }

    /// <summary>
    /// columns_mapping: URL-encoded pairs "api_field":"Your Header" separated by commas. Returns header → api field.
    /// </summary>
    public static (Dictionary<string, string>? Map, string? Error) ColumnsMapping(string? raw)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(raw)) return (map, null);
        var pairs = System.Text.RegularExpressions.Regex.Matches(raw, "\"([^\"]+)\"\\s*:\\s*\"([^\"]*)\"");
        string rest = System.Text.RegularExpressions.Regex.Replace(raw, "\"([^\"]+)\"\\s*:\\s*\"([^\"]*)\"", "").Replace(",", "").Trim();
        if (pairs.Count == 0 || rest.Length > 0) return (null, $"Wrong parameter value: columns_mapping={raw}");
        foreach (System.Text.RegularExpressions.Match m in pairs) map[m.Groups[2].Value] = m.Groups[1].Value;
        return (map, null);
    }
}
