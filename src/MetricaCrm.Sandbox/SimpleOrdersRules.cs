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

    // Positions in Columns: a row is an array of its cells by these, null where the file has no such column.
    private const int Id = 0, CreateDateTime = 1, ClientUniqId = 2, ClientIds = 3, Emails = 4, Phones = 5, EmailsMd5 = 6, PhonesMd5 = 7,
        OrderStatus = 8, Revenue = 9, Cost = 10, Goals = 11, Currency = 12;

    public sealed class ParseResult
    {
        /// <summary>Each row's cells by their column's position in <see cref="Columns"/>; null for a column the file has not.</summary>
        public List<string?[]> Rows { get; } = new();
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

        var positions = headers.Select(h => Array.IndexOf(Columns, h)).ToArray();
        while (reader.Read())
        {
            long line = reader.LineNumber;
            if (reader.FieldCount != headers.Count)
            {
                result.Error = $"Неверный формат данных, ошибка в строке номер {line}: {reader.FieldCount} полей вместо {headers.Count}";
                return result;
            }
            var row = new string?[Columns.Length];
            for (int i = 0; i < positions.Length; i++) row[positions[i]] = reader.GetString(i);
            string? problem = CheckRow(row, counter);
            if (problem != null)
            {
                result.Error = $"Неверный формат данных, ошибка в строке номер {line}: {problem}";
                return result;
            }
            // A row whose identifiers are all empty cannot be matched. Metrica does not document what it does with one;
            // the sandbox leaves that row out (not stored, not counted in elements_count) and accepts the rest.
            if (row.AsSpan(ClientIds, PhonesMd5 - ClientIds + 1).IndexOfAnyExcept(null, "") < 0) continue;
            result.Rows.Add(row);
        }
        return result;
    }

    private static string? CheckRow(string?[] row, CounterState counter)
    {
        var date = row[CreateDateTime]!;
        if (!ParseDate(date, out var created))
            return $"Некорректное значение '{date}' в колонке create_date_time";
        if (created.Year < 1970) return $"Некорректное значение '{date}' в колонке create_date_time: даты до 1970 года не поддерживаются";
        if (row[Revenue] is { Length: > 0 } revenue && !CellRules.Money(revenue)) return $"Некорректное значение '{revenue}' в колонке revenue";
        if (row[Cost] is { Length: > 0 } cost && !CellRules.Money(cost)) return $"Некорректное значение '{cost}' в колонке cost";
        // Simplified orders take the four types or a JS goal id; ids of the status schema belong to detailed orders.
        if (row[OrderStatus] is { Length: > 0 } status && !StatusTypes.Contains(status))
        {
            bool known;
            lock (counter.Gate) known = counter.Goals.Contains(status);
            if (!known) return $"Некорректное значение '{status}' в колонке order_status: нет такого типа статуса или идентификатора цели";
        }
        if (row[Currency] is { Length: > 0 } cur && !CellRules.Currency(cur))
            return "Неверный код валюты";
        // No length bound on simple orders' ClientIDs (the detailed uploads' int64 type gives theirs).
        if (row[ClientIds] is { Length: > 0 } ids && !CellRules.ClientIds(ids, int.MaxValue))
            return $"Некорректное значение '{ids}' в колонке client_ids";
        if (row[Phones] is { Length: > 0 } phones && !CellRules.Phones(phones))
            return $"Некорректное значение '{phones}' в колонке phones: только цифры с кодом страны";
        if (row[Emails] is { Length: > 0 } emails && !CellRules.Emails(emails))
            return $"Некорректное значение '{emails}' в колонке emails";
        if (row[EmailsMd5] is { Length: > 0 } emailsMd5 && !CellRules.Md5(emailsMd5)) return $"Некорректное значение '{emailsMd5}' в колонке emails_md5";
        if (row[PhonesMd5] is { Length: > 0 } phonesMd5 && !CellRules.Md5(phonesMd5)) return $"Некорректное значение '{phonesMd5}' в колонке phones_md5";
        return null;
    }

    /// <summary>
    /// One of <see cref="DateFormats"/>. The module's own layout is tried alone first: a text it fits fails every format
    /// before it in the list (they start "dd."), so the outcome is the list's, without four failed attempts per row.
    /// </summary>
    private static bool ParseDate(string text, out DateTime value) =>
        DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out value)
        || DateTime.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    /// <summary>A parsed row's id.</summary>
    public static string IdOf(string?[] row) => row[Id]!;

    /// <summary>Merges one row into the store as the merge mode says (SAVE replaces, UPDATE sets what is present, APPEND adds to lists).</summary>
    public static void Merge(CounterState counter, string?[] row, string mode, string uploadId, DateTimeOffset uploadedAt)
    {
        string id = row[Id]!;
        if (id.Length == 0) id = "(no id) " + Guid.NewGuid().ToString("N"); // Metrica attaches id-less orders to a session and may duplicate them
        var existing = counter.Orders.Existing(id);
        var order = mode == "SAVE" || existing == null ? counter.Orders.Fresh(id, "simple") : existing;
        // The creation date never changes once stored (Metrica ignores a new one; unconfirmed whether it rejects instead).
        order.CreateDateTime = existing?.CreateDateTime ?? row[CreateDateTime]!;
        order.Linked = existing?.Linked ?? CreatedWithinLinkWindow(order.CreateDateTime, counter, uploadedAt);
        order.UploadId = uploadId;
        bool Has(int c) => row[c] != null && (mode == "SAVE" || row[c]!.Length > 0);
        string[] Split(int c) => row[c]!.Length == 0 ? Array.Empty<string>() : row[c]!.Split(',');
        void SetList(int c, List<string> target)
        {
            if (!Has(c)) return;
            if (mode == "APPEND") { foreach (var v in Split(c)) if (!target.Contains(v)) target.Add(v); }
            else { target.Clear(); target.AddRange(Split(c)); }
        }
        if (Has(ClientUniqId)) order.ClientUniqId = NullIfEmpty(row[ClientUniqId]!);
        SetList(ClientIds, order.ClientIds);
        SetList(Emails, order.Emails);
        SetList(Phones, order.Phones);
        SetList(EmailsMd5, order.EmailsMd5);
        SetList(PhonesMd5, order.PhonesMd5);
        SetList(Goals, order.Goals);
        if (Has(OrderStatus)) order.OrderStatus = NullIfEmpty(row[OrderStatus]!) ?? "PAID";
        else if (mode == "SAVE" || existing == null) order.OrderStatus = "PAID"; // the documented default
        if (Has(Revenue)) order.Revenue = Money(row[Revenue]!);
        if (Has(Cost)) order.Cost = Money(row[Cost]!);
        if (Has(Currency)) order.Currency = NullIfEmpty(row[Currency]!);
        counter.Orders.Save(order);
    }

    /// <summary>Metrica links orders to visits only when they were created within 21 days of their upload (counter time).</summary>
    public static bool CreatedWithinLinkWindow(string createDateTime, CounterState counter, DateTimeOffset uploadedAt)
    {
        if (!ParseDate(createDateTime, out var created)) return false;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(counter.TimeZoneName);
        var age = TimeZoneInfo.ConvertTime(uploadedAt, zone).DateTime - created;
        return age >= TimeSpan.Zero - TimeSpan.FromDays(1) && age <= TimeSpan.FromDays(21);
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
    private static decimal? Money(string s) => s.Length == 0 ? null : decimal.Parse(s, CultureInfo.InvariantCulture);
}
