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

    // Positions in Columns.
    private const int Id = 0, CreateDateTime = 1, ClientUniqId = 2, ClientIds = 3, Emails = 4, Phones = 5, EmailsMd5 = 6, PhonesMd5 = 7,
        OrderStatus = 8, Revenue = 9, Cost = 10, Goals = 11, Currency = 12;

    /// <summary>
    /// A file that passed every rule: how many rows it stores (elements_count), ready to be merged by <see cref="Store"/>,
    /// which reads it again rather than keeping a string per cell of a file of millions of rows.
    /// </summary>
    public sealed class ParseResult
    {
        internal ParseResult(string error) => Error = error;

        internal ParseResult(byte[] file, char delimiter, int[] positions, string[] attributes, int count, bool idsRepeat)
        {
            File = file;
            Attributes = attributes;
            Delimiter = delimiter;
            Positions = positions;
            Count = count;
            IdsRepeat = idsRepeat;
        }

        public string? Error { get; }
        public string ErrorType => "invalid_uploading";
        /// <summary>The rows to store: those with at least one identifier.</summary>
        public int Count { get; }
        internal byte[] File { get; } = Array.Empty<byte>();
        internal char Delimiter { get; }
        /// <summary>Each column's position in <see cref="Columns"/>; a SIMPLE_ORDER attribute's is Columns.Length + its index in <see cref="Attributes"/>.</summary>
        internal int[] Positions { get; } = Array.Empty<int>();
        /// <summary>The file's columns that are SIMPLE_ORDER attributes of the counter.</summary>
        internal string[] Attributes { get; } = Array.Empty<string>();
        /// <summary>Whether two stored rows may share an id (their hashes do): then they are applied in random order.</summary>
        internal bool IdsRepeat { get; }
    }

    /// <summary>Checks the whole file (nothing is stored if a row breaks a rule).</summary>
    public static ParseResult Parse(byte[] file, char delimiter, CounterState counter)
    {
        if (Cdp.CdpUploads.CheckEncoding(file) is string encodingError) return new ParseResult(encodingError);

        using var reader = CsvReader.Create(file, CsvReaderOptions.Default with { Separator = delimiter, TrackLineNumbers = true });
        var headers = reader.Headers.ToList();
        // Besides the documented columns, the counter's SIMPLE_ORDER attributes (createattributes.md: entity_type
        // SIMPLE_ORDER, "принадлежность простым заказам"), as plain columns like the detailed CSVs' attributes.
        var attributes = new List<string>();
        foreach (var h in headers)
        {
            if (Columns.Contains(h)) continue;
            bool attribute;
            lock (counter.Gate) attribute = counter.Cdp.HasAttribute("SIMPLE_ORDER", h);
            if (!attribute || attributes.Contains(h)) return new ParseResult($"Неверный формат данных, ошибка в строке номер 1: неизвестная колонка '{h}'");
            attributes.Add(h);
        }
        foreach (var required in new[] { "create_date_time", "id" })
            if (!headers.Contains(required)) return new ParseResult($"Отсутствует обязательная колонка {required}");
        if (!Identifiers.Any(headers.Contains))
            return new ParseResult($"Отсутствует обязательная колонка: нужна хотя бы одна из {string.Join(", ", Identifiers)}");

        var positions = headers.Select(h => Array.IndexOf(Columns, h) is int c and >= 0 ? c : Columns.Length + attributes.IndexOf(h)).ToArray();
        var row = new Row(attributes.Count);
        // The ids' hashes, sorted once at the end: cheaper than a hash set of a file's ids (whose growth touches fresh memory).
        var idHashes = System.Buffers.ArrayPool<long>.Shared.Rent(Math.Max(1024, file.Length / 64));
        int count = 0;
        try
        {
            while (reader.Read())
            {
                long line = reader.LineNumber;
                if (reader.FieldCount != headers.Count)
                    return new ParseResult($"Неверный формат данных, ошибка в строке номер {line}: {reader.FieldCount} полей вместо {headers.Count}");
                row.Fill(reader, positions);
                if (CheckRow(row, counter) is string problem) return new ParseResult($"Неверный формат данных, ошибка в строке номер {line}: {problem}");
                if (!row.HasIdentifier) continue;
                if (count == idHashes.Length)
                {
                    var larger = System.Buffers.ArrayPool<long>.Shared.Rent(count * 2);
                    idHashes.AsSpan().CopyTo(larger);
                    System.Buffers.ArrayPool<long>.Shared.Return(idHashes);
                    idHashes = larger;
                }
                idHashes[count++] = IdHash(row[Id]);
            }
            var sorted = idHashes.AsSpan(0, count);
            sorted.Sort();
            bool idsRepeat = false;
            for (int i = 1; i < sorted.Length && !idsRepeat; i++) idsRepeat = sorted[i] == sorted[i - 1];
            return new ParseResult(file, delimiter, positions, attributes.ToArray(), count, idsRepeat);
        }
        finally { System.Buffers.ArrayPool<long>.Shared.Return(idHashes); }
    }

    /// <summary>
    /// Merges a checked file into the counter's orders as the merge mode says; the caller holds <see cref="CounterState.Gate"/>.
    /// Rows repeating an id are applied in random order (<see cref="Cdp.CdpUploads.ApplyOrder"/>), the rest in file order.
    /// </summary>
    public static void Store(ParseResult file, CounterState counter, string mode, string uploadId, DateTimeOffset uploadedAt, Random random)
    {
        var now = CounterTime(counter, uploadedAt);
        if (!file.IdsRepeat)
        {
            foreach (var row in Rows(file.File, file.Delimiter, file.Positions, file.Attributes.Length)) Merge(counter, row, mode, uploadId, now, file.Attributes);
            return;
        }
        var rows = Rows(file.File, file.Delimiter, file.Positions, file.Attributes.Length).Select(r => r.Copy()).ToList();
        List<Row> ordered;
        lock (random) ordered = Cdp.CdpUploads.ApplyOrder(rows, r => r[Id].ToString(), random).ToList();
        foreach (var row in ordered) Merge(counter, row, mode, uploadId, now, file.Attributes);
    }

    /// <summary>The rows of a checked file that have an identifier, in one <see cref="Row"/> refilled for each.</summary>
    private static IEnumerable<Row> Rows(byte[] file, char delimiter, int[] positions, int attributes)
    {
        using var reader = CsvReader.Create(file, CsvReaderOptions.Default with { Separator = delimiter });
        var row = new Row(attributes);
        while (reader.Read())
        {
            row.Fill(reader, positions);
            if (row.HasIdentifier) yield return row;
        }
    }

    /// <summary>64 bits of an id, two 32-bit hashes of it: files of distinct ids almost never look repeated.</summary>
    private static long IdHash(ReadOnlySpan<char> id)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(id);
        var low = new HashCode();
        low.AddBytes(bytes);
        var high = new HashCode();
        high.Add(id.Length);
        high.AddBytes(bytes);
        return (long)high.ToHashCode() << 32 | (uint)low.ToHashCode();
    }

    /// <summary>
    /// One row's cells as text, by their column's position in <see cref="Columns"/> (absent: a column the file has not);
    /// one instance is refilled for each row, so reading a row allocates nothing.
    /// </summary>
    private sealed class Row
    {
        private char[] _text;
        private readonly int[] _start, _length;

        /// <summary>A row of the documented columns and <paramref name="attributes"/> attribute columns after them.</summary>
        public Row(int attributes)
        {
            _text = new char[256];
            _start = new int[Columns.Length + attributes];
            _length = new int[Columns.Length + attributes];
        }

        private Row(char[] text, int[] start, int[] length)
        {
            _text = text;
            _start = start;
            _length = length;
        }

        public ReadOnlySpan<char> this[int column] => _length[column] < 0 ? default : _text.AsSpan(_start[column], _length[column]);

        /// <summary>Whether the file has the column.</summary>
        public bool Has(int column) => _length[column] >= 0;

        /// <summary>
        /// Whether some identifier is not empty. A row whose identifiers are all empty cannot be matched. Metrica does not
        /// document what it does with one; the sandbox leaves that row out (not stored, not counted in elements_count).
        /// </summary>
        public bool HasIdentifier => _length.AsSpan(ClientIds, PhonesMd5 - ClientIds + 1).IndexOfAnyExceptInRange(-1, 0) >= 0;

        public void Fill(CsvReader reader, int[] positions)
        {
            _length.AsSpan().Fill(-1);
            int used = 0;
            for (int i = 0; i < positions.Length; i++)
            {
                var utf8 = reader.GetSpan(i);
                if (_text.Length - used < utf8.Length) Array.Resize(ref _text, Math.Max(_text.Length * 2, used + utf8.Length));
                int chars = Encoding.UTF8.GetChars(utf8, _text.AsSpan(used));
                _start[positions[i]] = used;
                _length[positions[i]] = chars;
                used += chars;
            }
        }

        /// <summary>A copy that the next <see cref="Fill"/> leaves as it is.</summary>
        public Row Copy() => new((char[])_text.Clone(), (int[])_start.Clone(), (int[])_length.Clone());
    }

    private static string? CheckRow(Row row, CounterState counter)
    {
        var date = row[CreateDateTime];
        if (!ParseDate(date, out var created))
            return $"Некорректное значение '{date}' в колонке create_date_time";
        if (created.Year < 1970) return $"Некорректное значение '{date}' в колонке create_date_time: даты до 1970 года не поддерживаются";
        if (row[Revenue] is { Length: > 0 } revenue && !CellRules.Money(revenue)) return $"Некорректное значение '{revenue}' в колонке revenue";
        if (row[Cost] is { Length: > 0 } cost && !CellRules.Money(cost)) return $"Некорректное значение '{cost}' в колонке cost";
        // Simplified orders take the four types or a JS goal id; ids of the status schema belong to detailed orders.
        if (row[OrderStatus] is { Length: > 0 } status && !IsStatusType(status))
        {
            bool known;
            lock (counter.Gate) known = Contains(counter.Goals, status);
            if (!known) return $"Некорректное значение '{status}' в колонке order_status: нет такого типа статуса или идентификатора цели";
        }
        if (row[Goals] is { Length: > 0 } goals && !GoalsKnown(goals, counter))
            return $"Некорректное значение '{goals}' в колонке goals: нужны идентификаторы JS-целей счётчика через запятую, с ценой через двоеточие (цель[:цена])";
        if (row[Currency] is { Length: > 0 } cur && !CellRules.Currency(cur))
            return "Неверный код валюты";
        // The schema types ClientIDs as int64 (contacts); the simple orders' page gives no type of its own, so the same bound.
        if (row[ClientIds] is { Length: > 0 } ids && !CellRules.ClientIds(ids))
            return $"Некорректное значение '{ids}' в колонке client_ids";
        if (row[Phones] is { Length: > 0 } phones && !CellRules.Phones(phones))
            return $"Некорректное значение '{phones}' в колонке phones: только цифры с кодом страны";
        if (row[Emails] is { Length: > 0 } emails && !CellRules.Emails(emails))
            return $"Некорректное значение '{emails}' в колонке emails";
        if (row[EmailsMd5] is { Length: > 0 } emailsMd5 && !CellRules.Md5(emailsMd5)) return $"Некорректное значение '{emailsMd5}' в колонке emails_md5";
        if (row[PhonesMd5] is { Length: > 0 } phonesMd5 && !CellRules.Md5(phonesMd5)) return $"Некорректное значение '{phonesMd5}' в колонке phones_md5";
        return null;
    }

    private static bool IsStatusType(ReadOnlySpan<char> status) => Contains(StatusTypes, status);

    /// <summary>
    /// goal_action1[:price1],goal_action2[:price2] (simple-orders-data): each a JS goal identifier of the counter, as the
    /// detailed orders' goals are checked; whether Metrica refuses an unknown goal or drops it is unconfirmed.
    /// </summary>
    private static bool GoalsKnown(ReadOnlySpan<char> goals, CounterState counter)
    {
        var rest = goals;
        while (true)
        {
            int comma = rest.IndexOf(',');
            var item = comma < 0 ? rest : rest[..comma];
            int colon = item.IndexOf(':');
            var goal = colon < 0 ? item : item[..colon];
            if (goal.Length == 0 || colon >= 0 && !CellRules.Money(item[(colon + 1)..])) return false;
            bool known;
            lock (counter.Gate) known = Contains(counter.Goals, goal);
            if (!known) return false;
            if (comma < 0) return true;
            rest = rest[(comma + 1)..];
        }
    }

    private static bool Contains(IEnumerable<string> texts, ReadOnlySpan<char> text)
    {
        foreach (var t in texts)
            if (text.SequenceEqual(t)) return true;
        return false;
    }

    /// <summary>
    /// One of <see cref="DateFormats"/>. The module's own layout is tried alone first: a text it fits fails every format
    /// before it in the list (they start "dd."), so the outcome is the list's. Its plain digits are read without the
    /// framework's parser (a quarter of the sandbox's time per row); anything else, or a value out of range, gets the
    /// framework's answer.
    /// </summary>
    public static bool TryParseDate(ReadOnlySpan<char> text, out DateTime value) => ParseDate(text, out value);

    private static bool ParseDate(ReadOnlySpan<char> text, out DateTime value) =>
        TryModuleLayout(text, out value)
        || DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out value)
        || DateTime.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    /// <summary>yyyy-MM-dd HH:mm:ss in ASCII digits and in range; false leaves the decision to TryParseExact.</summary>
    internal static bool TryModuleLayout(ReadOnlySpan<char> t, out DateTime value)
    {
        value = default;
        if (t.Length != 19 || t[4] != '-' || t[7] != '-' || t[10] != ' ' || t[13] != ':' || t[16] != ':') return false;
        int year = Digits(t, 0, 4), month = Digits(t, 5, 2), day = Digits(t, 8, 2), hour = Digits(t, 11, 2), minute = Digits(t, 14, 2), second = Digits(t, 17, 2);
        if ((year | month | day | hour | minute | second) < 0 || year < 1 || month is < 1 or > 12 || day < 1
            || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        value = new DateTime(year, month, day, hour, minute, second);
        return true;
    }

    /// <summary>The number the ASCII digits at t[start..start+count] make, or -1.</summary>
    private static int Digits(ReadOnlySpan<char> t, int start, int count)
    {
        int n = 0;
        foreach (char c in t.Slice(start, count))
        {
            if (!char.IsAsciiDigit(c)) return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /// <summary>Merges one row into the store as the merge mode says (SAVE replaces, UPDATE sets what is present, APPEND adds to lists).</summary>
    private static void Merge(CounterState counter, Row row, string mode, string uploadId, DateTime uploadedAtCounterTime, string[] attributes)
    {
        var store = counter.Orders;
        string id = row[Id].ToString();
        if (id.Length == 0) id = "(no id) " + Guid.NewGuid().ToString("N"); // Metrica attaches id-less orders to a session and may duplicate them
        var existing = store.Existing(id);
        var keep = LinkedOrderRules.KeepIfFrozen(existing, uploadedAtCounterTime);
        var order = mode == "SAVE" || existing == null ? store.Fresh(id, "simple") : existing;
        // The creation date never changes once stored (Metrica ignores a new one; unconfirmed whether it rejects instead).
        order.CreateDateTime = existing?.CreateDateTime ?? row[CreateDateTime].ToString();
        order.Linked = existing?.Linked ?? (ParseDate(row[CreateDateTime], out var created) && CreatedWithinLinkWindow(created, uploadedAtCounterTime));
        order.UploadId = uploadId;
        // A column the row has is set, an empty cell clearing the value in every mode (as CdpMerge.Set: unconfirmed, the
        // reading that shows a client's empty cells as lost data); only a column left out keeps the stored value.
        bool Has(int c) => row.Has(c);
        void SetList(int c, List<string> target, bool shared)
        {
            if (!Has(c)) return;
            var rest = row[c];
            if (mode != "APPEND" || rest.Length == 0) target.Clear();
            if (rest.Length == 0) return;
            while (true)
            {
                int comma = rest.IndexOf(',');
                var item = comma < 0 ? rest : rest[..comma];
                if (mode != "APPEND" || !Contains(target, item)) target.Add(shared ? store.Shared(item) : item.ToString());
                if (comma < 0) return;
                rest = rest[(comma + 1)..];
            }
        }
        string? Text(int c, bool shared) => row[c] is { Length: > 0 } text ? shared ? store.Shared(text) : text.ToString() : null;
        if (Has(ClientUniqId)) order.ClientUniqId = Text(ClientUniqId, shared: false);
        SetList(ClientIds, order.ClientIds, shared: false);
        SetList(Emails, order.Emails, shared: false);
        SetList(Phones, order.Phones, shared: false);
        SetList(EmailsMd5, order.EmailsMd5, shared: false);
        SetList(PhonesMd5, order.PhonesMd5, shared: false);
        SetList(Goals, order.Goals, shared: true);
        if (Has(OrderStatus)) order.OrderStatus = Text(OrderStatus, shared: true) ?? "PAID";
        else if (mode == "SAVE" || existing == null) order.OrderStatus = "PAID"; // the documented default
        if (Has(Revenue)) order.Revenue = Money(row[Revenue]);
        if (Has(Cost)) order.Cost = Money(row[Cost]);
        if (Has(Currency)) order.Currency = Text(Currency, shared: true);
        for (int a = 0; a < attributes.Length; a++)
        {
            // As the detailed uploads' attributes merge: a value is set; an empty cell removes it.
            var value = row[Columns.Length + a];
            if (value.Length > 0) order.Attributes[attributes[a]] = value.ToString();
            else order.Attributes.Remove(attributes[a]);
        }
        keep?.Invoke(order);
        store.Save(order);
    }

    /// <summary>Metrica links orders to visits only when they were created within 21 days of their upload (counter time).</summary>
    public static bool CreatedWithinLinkWindow(string createDateTime, CounterState counter, DateTimeOffset uploadedAt) =>
        ParseDate(createDateTime, out var created) && CreatedWithinLinkWindow(created, CounterTime(counter, uploadedAt));

    /// <summary>The counter's wall-clock time at <paramref name="at"/>: what creation dates are compared with.</summary>
    public static DateTime CounterTime(CounterState counter, DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, ZoneOf(counter)).DateTime;

    /// <summary>The counter's time zone (time_zone_name).</summary>
    public static TimeZoneInfo ZoneOf(CounterState counter) => TimeZoneInfo.FindSystemTimeZoneById(counter.TimeZoneName);

    private static bool CreatedWithinLinkWindow(DateTime created, DateTime uploadedAtCounterTime)
    {
        var age = uploadedAtCounterTime - created;
        return age >= TimeSpan.Zero - TimeSpan.FromDays(1) && age <= TimeSpan.FromDays(21);
    }

    private static decimal? Money(ReadOnlySpan<char> s) => s.Length == 0 ? null : decimal.Parse(s, CultureInfo.InvariantCulture);
}
