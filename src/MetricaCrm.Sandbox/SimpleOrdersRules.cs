using System.Globalization;
using System.Text;
using CsvHelper;

namespace MetricaCrm.Sandbox;

/// <summary>
/// The sandbox's reading of a simple_orders file, written from Metrica's documentation (not from the module's code):
/// UTF-8, a header with the documented names, create_date_time and id required, at least one identifier column,
/// the documented date formats, '.' decimals, statuses that are types, mapped ids or goal ids of the counter.
/// </summary>
public static class SimpleOrdersRules
{
    public static readonly string[] Columns =
        { "id", "create_date_time", "client_uniq_id", "client_ids", "emails", "phones", "emails_md5", "phones_md5", "order_status", "revenue", "cost", "goals", "currency" };
    public static readonly string[] Identifiers = { "client_ids", "emails", "phones", "emails_md5", "phones_md5" };
    public static readonly string[] StatusTypes = { "IN_PROGRESS", "PAID", "CANCELLED", "SPAM" };
    private static readonly string[] DateFormats =
        { "dd.MM.yyyy HH:mm:ss", "dd.MM.yy HH:mm", "dd.MM.yyyy HH:mm", "dd.MM.yy HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "dd.MM.yyyy", "dd.MM.yy", "yyyy-MM-dd" };

    public sealed class ParseResult
    {
        public List<Dictionary<string, string>> Rows { get; } = new();
        public HashSet<string> PresentColumns { get; } = new(StringComparer.Ordinal);
        public string? Error { get; set; }
        public string ErrorType { get; set; } = "invalid_uploading";
    }

    public static ParseResult Parse(byte[] file, char delimiter, CounterState counter)
    {
        var result = new ParseResult();
        if (file.Length == 0 || file.All(b => b == '\r' || b == '\n' || b == ' '))
        {
            result.Error = "The file is empty";
            return result;
        }
        if (file.Length >= 3 && file[0] == 0xEF && file[1] == 0xBB && file[2] == 0xBF)
        {
            // Whether Metrica tolerates a BOM is unconfirmed; the sandbox refuses it so that senders never rely on it.
            result.Error = "Неверный формат данных, ошибка в строке номер 1: файл должен быть в кодировке UTF-8 без BOM";
            return result;
        }
        try { new UTF8Encoding(false, true).GetCharCount(file); }
        catch (DecoderFallbackException)
        {
            result.Error = "Неверный формат данных: файл должен быть в кодировке UTF-8";
            return result;
        }

        using var reader = CsvReader.Create(new MemoryStream(file), CsvReaderOptions.Default with { Separator = delimiter, TrackLineNumbers = true });
        var headers = reader.Headers.ToList();
        foreach (var h in headers)
        {
            if (!Columns.Contains(h))
            {
                result.Error = $"Неверный формат данных, ошибка в строке номер 1: неизвестная колонка '{h}'";
                return result;
            }
            result.PresentColumns.Add(h);
        }
        foreach (var required in new[] { "create_date_time", "id" })
            if (!headers.Contains(required))
            {
                result.Error = $"Отсутствует обязательная колонка {required}";
                return result;
            }
        if (!Identifiers.Any(headers.Contains))
        {
            result.Error = $"Отсутствует обязательная колонка: нужна хотя бы одна из {string.Join(", ", Identifiers)}";
            return result;
        }

        while (reader.Read())
        {
            long line = reader.LineNumber;
            if (reader.FieldCount != headers.Count)
            {
                result.Error = $"Неверный формат данных, ошибка в строке номер {line}: {reader.FieldCount} полей вместо {headers.Count}";
                return result;
            }
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < headers.Count; i++) row[headers[i]] = reader.GetString(i);
            string? problem = CheckRow(row, counter);
            if (problem != null)
            {
                result.Error = $"Неверный формат данных, ошибка в строке номер {line}: {problem}";
                return result;
            }
            // A row whose identifiers are all empty cannot be matched. Metrica does not document what it does with one;
            // the sandbox leaves that row out (not stored, not counted in elements_count) and accepts the rest.
            if (!Identifiers.Any(c => row.TryGetValue(c, out var v) && v.Length > 0)) continue;
            result.Rows.Add(row);
        }
        return result;
    }

    private static string? CheckRow(Dictionary<string, string> row, CounterState counter)
    {
        var date = row["create_date_time"];
        if (!DateTime.TryParseExact(date, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var created))
            return $"Некорректное значение '{date}' в колонке create_date_time";
        if (created.Year < 1970) return $"Некорректное значение '{date}' в колонке create_date_time: даты до 1970 года не поддерживаются";
        foreach (var money in new[] { "revenue", "cost" })
            if (row.TryGetValue(money, out var m) && m.Length > 0 && !CellRules.Money(m))
                return $"Некорректное значение '{m}' в колонке {money}";
        // Simplified orders take the four types or a JS goal id; ids of the status schema belong to detailed orders.
        if (row.TryGetValue("order_status", out var status) && status.Length > 0 && !StatusTypes.Contains(status))
        {
            bool known;
            lock (counter.Gate) known = counter.Goals.Contains(status);
            if (!known) return $"Некорректное значение '{status}' в колонке order_status: нет такого типа статуса или идентификатора цели";
        }
        if (row.TryGetValue("currency", out var cur) && cur.Length > 0 && !CellRules.Currency(cur))
            return "Неверный код валюты";
        // No length bound on simple orders' ClientIDs (the detailed uploads' int64 type gives theirs).
        if (row.TryGetValue("client_ids", out var ids) && ids.Length > 0 && !CellRules.ClientIds(ids, int.MaxValue))
            return $"Некорректное значение '{ids}' в колонке client_ids";
        if (row.TryGetValue("phones", out var phones) && phones.Length > 0 && !CellRules.Phones(phones))
            return $"Некорректное значение '{phones}' в колонке phones: только цифры с кодом страны";
        if (row.TryGetValue("emails", out var emails) && emails.Length > 0 && !CellRules.Emails(emails))
            return $"Некорректное значение '{emails}' в колонке emails";
        foreach (var md5 in new[] { "emails_md5", "phones_md5" })
            if (row.TryGetValue(md5, out var h) && h.Length > 0 && !CellRules.Md5(h))
                return $"Некорректное значение '{h}' в колонке {md5}";
        return null;
    }

    /// <summary>Merges one row into the store as the merge mode says (SAVE replaces, UPDATE sets what is present, APPEND adds to lists).</summary>
    public static void Merge(CounterState counter, Dictionary<string, string> row, HashSet<string> present, string mode, string uploadId, DateTimeOffset uploadedAt)
    {
        string id = row["id"];
        if (id.Length == 0) id = "(no id) " + Guid.NewGuid().ToString("N"); // Metrica attaches id-less orders to a session and may duplicate them
        var existing = counter.Orders.Existing(id);
        var order = mode == "SAVE" || existing == null ? counter.Orders.Fresh(id, "simple") : existing;
        // The creation date never changes once stored (Metrica ignores a new one; unconfirmed whether it rejects instead).
        order.CreateDateTime = existing?.CreateDateTime ?? row["create_date_time"];
        order.Linked = existing?.Linked ?? CreatedWithinLinkWindow(order.CreateDateTime, counter, uploadedAt);
        order.UploadId = uploadId;
        bool Has(string c) => present.Contains(c) && (mode == "SAVE" || row[c].Length > 0);
        List<string> Split(string c) => row[c].Length == 0 ? new List<string>() : row[c].Split(',').ToList();
        void SetList(string c, List<string> target)
        {
            if (!Has(c)) return;
            if (mode == "APPEND") { foreach (var v in Split(c)) if (!target.Contains(v)) target.Add(v); }
            else { target.Clear(); target.AddRange(Split(c)); }
        }
        if (Has("client_uniq_id")) order.ClientUniqId = NullIfEmpty(row["client_uniq_id"]);
        SetList("client_ids", order.ClientIds);
        SetList("emails", order.Emails);
        SetList("phones", order.Phones);
        SetList("emails_md5", order.EmailsMd5);
        SetList("phones_md5", order.PhonesMd5);
        SetList("goals", order.Goals);
        if (Has("order_status")) order.OrderStatus = NullIfEmpty(row["order_status"]) ?? "PAID";
        else if (mode == "SAVE" || existing == null) order.OrderStatus = "PAID"; // the documented default
        if (Has("revenue")) order.Revenue = Money(row["revenue"]);
        if (Has("cost")) order.Cost = Money(row["cost"]);
        if (Has("currency")) order.Currency = NullIfEmpty(row["currency"]);
        counter.Orders.Save(order);
    }

    /// <summary>Metrica links orders to visits only when they were created within 21 days of their upload (counter time).</summary>
    public static bool CreatedWithinLinkWindow(string createDateTime, CounterState counter, DateTimeOffset uploadedAt)
    {
        if (!DateTime.TryParseExact(createDateTime, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var created)) return false;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(counter.TimeZoneName);
        var age = TimeZoneInfo.ConvertTime(uploadedAt, zone).DateTime - created;
        return age >= TimeSpan.Zero - TimeSpan.FromDays(1) && age <= TimeSpan.FromDays(21);
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
    private static decimal? Money(string s) => s.Length == 0 ? null : decimal.Parse(s, CultureInfo.InvariantCulture);
}
