using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CsvHelper;

namespace MetricaCrm.Sandbox.OfflineConversions;

/// <summary>
/// The sandbox's reading of an offline conversions or calls file, written from Metrica's documentation: UTF-8, a header
/// with the documented column names, at least one identifier column, Target (conversions) and DateTime required,
/// DateTime in Unix seconds and not in the future, '.' decimals, ISO-4217 currencies, and the calls columns' formats.
/// A format error refuses the whole file, naming the line.
/// </summary>
public static partial class ConversionFileRules
{
    public static readonly string[] ConversionIdentifiers = { "ClientId", "UserId", "Yclid", "PurchaseId" };
    public static readonly string[] CallIdentifiers = { "UserId", "ClientId", "Yclid" };
    private static readonly string[] ConversionColumns = [.. ConversionIdentifiers, "Target", "DateTime", "Price", "Currency"];
    private static readonly string[] CallColumns =
        [.. CallIdentifiers, "DateTime", "StaticCall", "Price", "Currency", "PhoneNumber", "TalkDuration", "HoldDuration", "CallMissed", "Tag", "FirstTimeCaller", "URL", "CallTrackerURL"];

    /// <summary>The sandbox and its client share a machine, so a few seconds only absorb rounding and request time.</summary>
    public static readonly TimeSpan FutureSkew = TimeSpan.FromSeconds(5);

    public sealed class ParseResult
    {
        public List<OfflineRecord> Rows { get; } = new();
        /// <summary>Data rows in the file, valid or not (source_quantity).</summary>
        public int SourceQuantity { get; set; }
        /// <summary>The identifier columns of the header, in the documented spelling and header order.</summary>
        public List<string> IdentifierColumns { get; } = new();
        public string? Error { get; set; }
    }

    /// <param name="clientIdType">The legacy client_id_type parameter: when sent, its column must be in the file.</param>
    public static ParseResult Parse(byte[] file, OfflineUploadKind kind, DateTimeOffset now, string? clientIdType)
    {
        var result = new ParseResult();
        ParseResult Fail(string message)
        {
            result.Error = message;
            return result;
        }

        if (file.All(b => b is (byte)'\r' or (byte)'\n' or (byte)' ')) return Fail("The file is empty");
        if (file.Length >= 3 && file[0] == 0xEF && file[1] == 0xBB && file[2] == 0xBF)
        {
            // Whether Metrica tolerates a BOM is unconfirmed; the sandbox refuses it, as it does for simple_orders.
            return Fail("Неверный формат данных, ошибка в строке номер 1: файл должен быть в кодировке UTF-8 без BOM");
        }
        try { new UTF8Encoding(false, true).GetCharCount(file); }
        catch (DecoderFallbackException) { return Fail("Неверный формат данных: файл должен быть в кодировке UTF-8"); }

        var documented = kind == OfflineUploadKind.Conversions ? ConversionColumns : CallColumns;
        var identifiers = kind == OfflineUploadKind.Conversions ? ConversionIdentifiers : CallIdentifiers;
        using var reader = CsvReader.Create(file, CsvReaderOptions.Default with { Separator = ',', TrackLineNumbers = true });
        // Header spellings vary between docs and code (ClientId/ClientID, Yclid/yclid): names match ignoring case.
        var columns = new List<string>();
        foreach (var header in reader.Headers)
        {
            // Spaces around a name are not part of it: files written "ClientId, Target, DateTime" by hand or by tools are
            // common, and the docs name the columns, not the bytes around them (what Metrica does with them is unconfirmed).
            string? name = documented.FirstOrDefault(c => c.Equals(header.Trim(' '), StringComparison.OrdinalIgnoreCase));
            if (name == null)
                return Fail($"Неверный формат данных, ошибка в строке номер 1: неизвестная колонка '{header}' (допустимы {string.Join(", ", documented)})");
            if (columns.Contains(name)) return Fail($"Неверный формат данных, ошибка в строке номер 1: колонка {name} указана дважды");
            columns.Add(name);
        }
        result.IdentifierColumns.AddRange(columns.Where(identifiers.Contains));
        if (result.IdentifierColumns.Count == 0) return Fail($"Отсутствует обязательная колонка: нужна хотя бы одна из {string.Join(", ", identifiers)}");
        if (clientIdType != null && ClientIdTypeColumn(clientIdType) is string typed && !columns.Contains(typed))
            return Fail($"Отсутствует обязательная колонка {typed} (client_id_type={clientIdType})");
        foreach (var required in kind == OfflineUploadKind.Conversions ? new[] { "Target", "DateTime" } : new[] { "DateTime" })
            if (!columns.Contains(required)) return Fail($"Отсутствует обязательная колонка {required}");

        var sharedTexts = new SharedTexts();
        while (reader.Read())
        {
            result.SourceQuantity++;
            long line = reader.LineNumber;
            if (reader.FieldCount != columns.Count)
                return Fail($"Неверный формат данных, ошибка в строке номер {line}: {reader.FieldCount} полей вместо {columns.Count}");
            var row = new OfflineRecord();
            for (int i = 0; i < columns.Count; i++)
            {
                var utf8 = reader.GetSpan(i);
                // The common cells are read from their UTF-8 bytes; any other cell, or one they refuse, takes the string
                // rules, which also word the problem.
                if (ReadCommon(row, columns[i], utf8, now, sharedTexts)) continue;
                string? problem = Read(row, columns[i], Encoding.UTF8.GetString(utf8), now);
                if (problem != null) return Fail($"Неверный формат данных, ошибка в строке номер {line}: {problem}");
            }
            result.Rows.Add(row);
        }
        // A header without rows is refused: whether Metrica accepts it as an upload of nothing is unconfirmed.
        return result.SourceQuantity == 0 ? Fail("The file is empty: no rows after the header") : result;
    }

    /// <summary>The column a legacy client_id_type names; null for values Metrica does not document.</summary>
    public static string? ClientIdTypeColumn(string clientIdType) => clientIdType switch
    {
        "CLIENT_ID" => "ClientId",
        "USER_ID" => "UserId",
        "YCLID" => "Yclid",
        _ => null,
    };

    /// <summary>
    /// Checks and stores a valid cell of the columns every conversions file has, without a string for a cell that is
    /// not stored; false for other columns and for any cell the string rules must look at (<see cref="Read"/>).
    /// </summary>
    private static bool ReadCommon(OfflineRecord row, string column, ReadOnlySpan<byte> utf8, DateTimeOffset now, SharedTexts shared)
    {
        switch (column)
        {
            case "ClientId" or "Yclid":
                if (utf8.Length > 20 || utf8.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return false;
                string? id = utf8.Length == 0 ? null : Encoding.UTF8.GetString(utf8);
                if (column == "ClientId") row.ClientId = id; else row.Yclid = id;
                return true;
            case "Target":
                if (utf8.Length == 0) return false;
                row.Target = shared.Target(utf8);
                return true;
            case "DateTime":
                // Up to 18 digits cannot overflow; longer or other text takes long.TryParse's rules.
                if (utf8.Length is 0 or > 18 || utf8.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return false;
                long seconds = 0;
                foreach (byte digit in utf8) seconds = seconds * 10 + (digit - '0');
                if (seconds <= 0 || DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, 253402300799)) > now + FutureSkew) return false;
                row.DateTime = seconds;
                return true;
            case "Price":
                if (utf8.Length == 0) return true;
                if (!IsPlainDecimal(utf8)) return false;
                row.Price = decimal.Parse(utf8, CultureInfo.InvariantCulture);
                return true;
            case "Currency":
                if (utf8.Length == 0) return true;
                if (shared.Currency(utf8) is not string currency) return false;
                row.Currency = currency;
                return true;
            default: return false;
        }
    }

    /// <summary>Digits, then optionally '.' and digits: what <see cref="Price"/> accepts, short of a final line break.</summary>
    private static bool IsPlainDecimal(ReadOnlySpan<byte> utf8)
    {
        int point = utf8.IndexOf((byte)'.');
        var whole = point < 0 ? utf8 : utf8[..point];
        if (whole.Length == 0 || whole.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return false;
        if (point < 0) return true;
        var fraction = utf8[(point + 1)..];
        return fraction.Length > 0 && !fraction.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    /// <summary>
    /// One string for each goal and currency of a file instead of one per row: a file mostly repeats a single goal and currency.
    /// </summary>
    private sealed class SharedTexts
    {
        private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> CurrencyLookup = CellRules.Currencies.GetAlternateLookup<ReadOnlySpan<char>>();
        private byte[] _targetUtf8 = [];
        private string _target = "";

        public string Target(ReadOnlySpan<byte> utf8)
        {
            if (!utf8.SequenceEqual(_targetUtf8))
            {
                _targetUtf8 = utf8.ToArray();
                _target = Encoding.UTF8.GetString(utf8);
            }
            return _target;
        }

        /// <summary>The code as the set of currencies holds it; null when it is none of them.</summary>
        public string? Currency(ReadOnlySpan<byte> utf8)
        {
            if (utf8.Length != 3 || utf8.ContainsAnyExceptInRange((byte)'A', (byte)'Z')) return null;
            Span<char> code = stackalloc char[3];
            for (int i = 0; i < 3; i++) code[i] = (char)utf8[i];
            return CurrencyLookup.TryGetValue(code, out var known) ? known : null;
        }
    }

    /// <summary>Checks one cell and stores it in <paramref name="row"/>; returns the problem, or null.</summary>
    private static string? Read(OfflineRecord row, string column, string value, DateTimeOffset now)
    {
        string Incorrect(string why) => $"Некорректное значение '{value}' в колонке {column}: {why}";
        bool empty = value.Length == 0;
        switch (column)
        {
            case "ClientId":
                // ClientID is the positive integer getClientID returns.
                if (!empty && !Digits().IsMatch(value)) return Incorrect("ClientId состоит только из цифр");
                row.ClientId = empty ? null : value;
                return null;
            case "Yclid":
                // Direct's click ids are numbers; that Metrica refuses other text is unconfirmed.
                if (!empty && !Digits().IsMatch(value)) return Incorrect("Yclid состоит только из цифр");
                row.Yclid = empty ? null : value;
                return null;
            case "UserId": row.UserId = empty ? null : value; return null;
            case "PurchaseId": row.PurchaseId = empty ? null : value; return null;
            case "Target":
                if (empty) return Incorrect("нужен идентификатор цели JavaScript-событие");
                row.Target = value;
                return null;
            case "DateTime":
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) || seconds <= 0)
                    return Incorrect("нужно время Unix в секундах (целое число)");
                if (DateTimeOffset.FromUnixTimeSeconds(Math.Min(seconds, 253402300799)) > now + FutureSkew)
                    return Incorrect("время ещё не наступило (указывайте только прошедшее время, в секундах, не в миллисекундах)");
                row.DateTime = seconds;
                return null;
            case "Price":
                if (empty) return null;
                if (!Price().IsMatch(value)) return Incorrect("цена — неотрицательное число с точкой как десятичным разделителем");
                row.Price = decimal.Parse(value, CultureInfo.InvariantCulture);
                return null;
            case "Currency":
                if (empty) return null;
                // ISO 4217 codes are upper case; whether Metrica accepts 'rub' is unconfirmed, so the sandbox refuses it.
                if (!CellRules.Currencies.Contains(value)) return $"Неверный код валюты '{value}' (нужен трёхбуквенный код ISO 4217, например RUB)";
                row.Currency = value;
                return null;
            case "StaticCall": return Flag(value, Incorrect, b => row.StaticCall = b);
            case "CallMissed": return Flag(value, Incorrect, b => row.CallMissed = b);
            case "FirstTimeCaller": return Flag(value, Incorrect, b => row.FirstTimeCaller = b);
            case "TalkDuration" or "HoldDuration":
                if (empty) return null;
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int duration)) return Incorrect("длительность — целое число секунд");
                if (column == "TalkDuration") row.TalkDuration = duration; else row.HoldDuration = duration;
                return null;
            case "PhoneNumber":
                if (empty) return null;
                if (!Phone().IsMatch(value)) return Incorrect("номер без пробелов, с кодом страны и города, например +70123456789");
                row.PhoneNumber = value;
                return null;
            case "URL" or "CallTrackerURL":
                if (empty) return null;
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    return Incorrect("нужен абсолютный URL (http или https)");
                if (column == "URL") row.Url = value; else row.CallTrackerUrl = value;
                return null;
            case "Tag": row.Tag = empty ? null : value; return null;
            default: throw new InvalidOperationException($"Column {column} has no rule.");
        }
    }

    private static string? Flag(string value, Func<string, string> incorrect, Action<bool> set)
    {
        if (value.Length == 0) return null;
        if (value is not ("0" or "1")) return incorrect("допустимы 1 и 0");
        set(value == "1");
        return null;
    }

    [GeneratedRegex("^[0-9]{1,20}$")] private static partial Regex Digits();
    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?$")] private static partial Regex Price();
    [GeneratedRegex(@"^\+[0-9]{7,15}$")] private static partial Regex Phone();
}
