using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;

namespace MetricaCrm.Sandbox.Cdp;

/// <summary>
/// A contact as the sandbox stored it, after merging uploads by uniq_id: field name → value (lists comma-joined).
/// Sorted lists rather than trees: a contact has a handful of fields, and a million contacts' tree nodes cost hundreds of MB.
/// </summary>
public sealed class StoredContact
{
    public string UniqId { get; set; } = "";
    public SortedList<string, string> Fields { get; set; } = new(StringComparer.Ordinal);
    // Made when first asked for: most contacts have no custom attributes.
    private SortedList<string, string>? _attributes;
    public SortedList<string, string> Attributes { get => _attributes ??= new(StringComparer.Ordinal); set => _attributes = value; }
    public string UploadId { get; set; } = "";
}

/// <summary>An attribute of the counter's CRM schema, per entity.</summary>
public sealed record StoredAttribute(string EntityType, string Name, string TypeName, bool Multivalued, string Humanized);

/// <summary>The counter's CRM schema beyond statuses: attributes per entity and the product catalogue.</summary>
public sealed class CdpSchema
{
    public List<StoredAttribute> Attributes { get; } = new();
    public Dictionary<string, string> Products { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, StoredContact> Contacts { get; } = new(StringComparer.Ordinal);

    public bool HasAttribute(string entity, string name) => Attributes.Any(a => a.EntityType == entity && a.Name == name);

    /// <summary>Whether the entity's attribute takes several values (createattributes.md: multivalued).</summary>
    public bool IsMultivalued(string entity, string name) => Attributes.Any(a => a.EntityType == entity && a.Name == name && a.Multivalued);
}

/// <summary>
/// The rows of a contacts or orders upload, read from CSV (after columns_mapping) or JSON into one shape (field →
/// text, lists comma-joined), and checked against the documented fields of the entity (fact sheet §3.5, §3.6).
/// </summary>
public static class CdpRows
{
    public sealed record Row(long Line, Dictionary<string, string> Fields);

    public static readonly string[] ContactFields =
        { "uniq_id", "name", "birth_date", "create_date_time", "update_date_time", "client_ids", "user_ids", "emails", "phones", "emails_md5", "phones_md5", "company_uniq_id", "user_comment" };
    public static readonly string[] OrderFields =
        { "id", "client_uniq_id", "client_type", "create_date_time", "order_status", "update_date_time", "finish_date_time", "revenue", "cost", "goals", "products", "currency" };
    public static readonly string[] ListFields = { "client_ids", "user_ids", "emails", "phones", "emails_md5", "phones_md5", "goals", "products" };

    private static readonly string[] JsonDateTimeFormats = { "yyyy-MM-dd HH:mm:ss" }, JsonDateFormats = { "yyyy-MM-dd" };
    private static readonly string[] CsvDateFormats = { "dd.MM.yyyy", "dd.MM.yy", "yyyy-MM-dd" };
    // The fields a row may not leave empty when it has the column: the required ones (orders-data: id, client_uniq_id,
    // client_type, create_date_time and order_status are required; an empty cell is no value).
    private static readonly string[] ContactKeys = { "uniq_id" }, OrderKeys = { "id", "client_uniq_id", "client_type", "create_date_time", "order_status" };
    private static readonly string[] CsvDateTimeFormats =
        { "dd.MM.yyyy HH:mm:ss", "dd.MM.yy HH:mm", "dd.MM.yyyy HH:mm", "dd.MM.yy HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "dd.MM.yyyy", "dd.MM.yy", "yyyy-MM-dd" };

    /// <summary>The system fields of an entity, which no custom attribute may be named after.</summary>
    public static string[] Documented(string entity) => entity switch
    {
        "CONTACT" => ContactFields,
        "ORDER" => OrderFields,
        "SIMPLE_ORDER" => SimpleOrdersRules.Columns,
        _ => Array.Empty<string>(),
    };
    private static string[] Required(string entity) => entity == "CONTACT" ? new[] { "uniq_id" } : new[] { "id", "client_uniq_id", "client_type", "create_date_time", "order_status" };

    /// <summary>Reads a CSV file into rows; see <see cref="ForEachCsvRow"/>.</summary>
    public static (List<Row> Rows, string? Error) ReadCsv(byte[] file, char delimiter, string entity, Dictionary<string, string> mapping, CdpSchema schema)
    {
        var rows = new List<Row>();
        string? error = ForEachCsvRow(file, delimiter, entity, mapping, schema, rows.Add);
        return (rows, error);
    }

    /// <summary>
    /// Reads a CSV file row by row (headers are API field names, custom attributes of the entity, or mapped by
    /// columns_mapping) and hands each row to <paramref name="visit"/>; the first problem with the header or a row's
    /// column count stops the reading and is returned. Unless <paramref name="rowsKept"/>, every row is handed in one
    /// dictionary, refilled (a visit that keeps a row copies it).
    /// </summary>
    public static string? ForEachCsvRow(byte[] file, char delimiter, string entity, Dictionary<string, string> mapping, CdpSchema schema, Action<Row> visit, bool rowsKept = true)
    {
        using var reader = CsvReader.Create(new MemoryStream(file), CsvReaderOptions.Default with { Separator = delimiter, TrackLineNumbers = true });
        var headers = reader.Headers.ToList();
        foreach (var target in mapping.Keys)
            if (!headers.Contains(target)) return $"Wrong parameter value: columns_mapping names the column '{target}', which the file does not have";
        var fields = headers.Select(h => mapping.TryGetValue(h, out var f) ? f : h).ToList();
        foreach (var f in fields)
        {
            // user_ids is a field of the JSON contact only; CSV columns are the documented ones or the entity's attributes.
            bool known = Documented(entity).Contains(f) && f != "user_ids" || schema.HasAttribute(entity, f);
            if (!known) return $"Неверный формат данных, ошибка в строке номер 1: неизвестная колонка '{f}'";
        }
        foreach (var r in Required(entity))
            if (!fields.Contains(r)) return $"Отсутствует обязательная колонка {r}";
        Dictionary<string, string>? row = null;
        while (reader.Read())
        {
            if (reader.FieldCount != fields.Count)
                return $"Неверный формат данных, ошибка в строке номер {reader.LineNumber}: {reader.FieldCount} полей вместо {fields.Count}";
            if (rowsKept || row == null) row = new Dictionary<string, string>(fields.Count, StringComparer.Ordinal);
            for (int i = 0; i < fields.Count; i++) row[fields[i]] = reader.GetString(i);
            visit(new Row(reader.LineNumber, row));
        }
        return null;
    }

    /// <summary>Reads {"contacts":[...]} or {"orders":[...]}; element N is reported as "элемент N".</summary>
    public static (List<Row> Rows, string? ErrorType, string? Error) ReadJson(byte[] body, string entity, CdpSchema schema)
    {
        var rows = new List<Row>();
        JsonDocument doc;
        try { doc = JsonDocument.Parse(body); }
        catch (JsonException ex) { return (rows, "invalid_json", "Malformed JSON: " + ex.Message); }
        using (doc)
        {
            string property = entity == "CONTACT" ? "contacts" : "orders";
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty(property, out var items) || items.ValueKind != JsonValueKind.Array)
                return (rows, "missing_parameter", $"{property} is required");
            int index = 0;
            foreach (var item in items.EnumerateArray())
            {
                index++;
                var row = new Dictionary<string, string>(StringComparer.Ordinal);
                if (item.ValueKind != JsonValueKind.Object) return (rows, "invalid_json", $"{property}[{index}] is not an object");
                foreach (var p in item.EnumerateObject())
                {
                    string? error = p.Name switch
                    {
                        "attribute_values" => ReadAttributes(p.Value, row),
                        "products" => ReadProducts(p.Value, row),
                        "goals" => ReadGoals(p.Value, row),
                        _ when !Documented(entity).Contains(p.Name) => $"неизвестное поле '{p.Name}'",
                        _ => ReadValue(p.Name, p.Value, row),
                    };
                    if (error != null) return (rows, "invalid_uploading", $"Неверный формат данных, ошибка в элементе номер {index}: {error}");
                }
                foreach (var attribute in row.Keys.Where(k => !Documented(entity).Contains(k)).ToList())
                    if (!schema.HasAttribute(entity, attribute)) return (rows, "invalid_uploading", $"Неверный формат данных, ошибка в элементе номер {index}: нет атрибута '{attribute}'");
                foreach (var r in Required(entity))
                    if (!row.ContainsKey(r)) return (rows, "invalid_uploading", $"Неверный формат данных, ошибка в элементе номер {index}: отсутствует обязательное поле {r}");
                rows.Add(new Row(index, row));
            }
        }
        return (rows, null, null);
    }

    private static string? ReadValue(string name, JsonElement value, Dictionary<string, string> row)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String: row[name] = value.GetString()!; return null;
            case JsonValueKind.Number: row[name] = value.GetRawText(); return null;
            case JsonValueKind.Null: row[name] = ""; return null; // a clear, as an empty cell (see CdpMerge.Set)
            case JsonValueKind.Array when ListFields.Contains(name):
                var parts = new List<string>();
                foreach (var v in value.EnumerateArray())
                {
                    // The schema types client_ids as int64[], yet the docs' own example (uploadContactJson_1) sends
                    // strings of digits: both are taken, and either must be a ClientID (checked with the row).
                    if (name == "client_ids" && v.ValueKind is not (JsonValueKind.Number or JsonValueKind.String)) return $"client_ids — числа, не '{v.GetRawText()}'";
                    parts.Add(v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText());
                }
                row[name] = string.Join(",", parts);
                return null;
            default: return $"некорректное значение поля {name}";
        }
    }

    /// <summary>attribute_values: pairs [["name","value"]] (string[][]) or objects {"name","value"}; both documented shapes are read.</summary>
    private static string? ReadAttributes(JsonElement value, Dictionary<string, string> row)
    {
        if (value.ValueKind != JsonValueKind.Array) return "attribute_values — массив";
        foreach (var a in value.EnumerateArray())
        {
            if (a.ValueKind == JsonValueKind.Array && a.GetArrayLength() == 2) row[a[0].GetString() ?? ""] = a[1].ValueKind == JsonValueKind.String ? a[1].GetString()! : a[1].GetRawText();
            else if (a.ValueKind == JsonValueKind.Object && a.TryGetProperty("name", out var n) && a.TryGetProperty("value", out var v))
                row[n.GetString() ?? ""] = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
            else return "attribute_values: пары [имя, значение]";
        }
        return null;
    }

    private static string? ReadProducts(JsonElement value, Dictionary<string, string> row)
    {
        if (value.ValueKind != JsonValueKind.Object) return "products — объект {\"товар\": количество}";
        row["products"] = string.Join(",", value.EnumerateObject().Select(p => p.Name + ":" + p.Value.GetRawText()));
        return null;
    }

    private static string? ReadGoals(JsonElement value, Dictionary<string, string> row)
    {
        if (value.ValueKind != JsonValueKind.Array) return "goals — массив [{goal_action_id, price}]";
        var parts = new List<string>();
        foreach (var g in value.EnumerateArray())
        {
            if (g.ValueKind != JsonValueKind.Object || !g.TryGetProperty("goal_action_id", out var id) || id.ValueKind != JsonValueKind.String) return "goals: нужен goal_action_id";
            parts.Add(g.TryGetProperty("price", out var price) ? id.GetString() + ":" + price.GetRawText() : id.GetString()!);
        }
        row["goals"] = string.Join(",", parts);
        return null;
    }

    /// <summary>Checks one row's values; null when it can be stored. JSON date-times are yyyy-MM-dd HH:mm:ss only (ISO with T/Z is unconfirmed: refused).</summary>
    public static string? Check(Row row, string entity, CounterState counter, bool json)
    {
        foreach (var (name, value) in row.Fields)
        {
            if (value.Length == 0) continue;
            string? problem = name switch
            {
                "create_date_time" or "update_date_time" or "finish_date_time" => Date(value, json ? JsonDateTimeFormats : CsvDateTimeFormats),
                "birth_date" => Date(value, json ? JsonDateFormats : CsvDateFormats),
                "revenue" or "cost" => CellRules.Money(value) ? null : "",
                "client_ids" => CellRules.ClientIds(value) ? null : "",
                "emails" => CellRules.Emails(value) ? null : "",
                "phones" => CellRules.Phones(value) ? null : "",
                "emails_md5" or "phones_md5" => CellRules.Md5(value) ? null : "",
                "client_type" => value == "CONTACT" ? null : ": допустимо только CONTACT",
                "order_status" => Status(value, counter),
                "goals" => value.Split(',').All(g => Goal(g, counter)) ? null : ": нужен идентификатор JS-цели счётчика[:цена]",
                "products" => value.Split(',').All(Product) ? null : ": нужно товар:количество",
                _ when !Documented(entity).Contains(name) => AttributeValue(counter, entity, name, value, json),
                _ => null,
            };
            if (name == "currency" && !CellRules.Currency(value)) return "Неверный код валюты";
            if (problem != null)
                return $"Неверный формат данных, ошибка в {(json ? "элементе" : "строке")} номер {row.Line}: Некорректное значение '{value}' в колонке {name}{problem}";
        }
        foreach (var required in entity == "CONTACT" ? ContactKeys : OrderKeys)
            if (row.Fields.TryGetValue(required, out var v) && v.Length == 0)
                return $"Неверный формат данных, ошибка в {(json ? "элементе" : "строке")} номер {row.Line}: пустое значение в колонке {required}";
        return null;
    }

    /// <summary>
    /// A custom attribute's value by its type_name (createattributes.md): numeric a number with '.', date and datetime in
    /// the formats of date.md, email as the e-mails column; text and product take any text. A multivalued attribute's
    /// values are comma-separated, each checked. Whether Metrica refuses a value of the wrong type is unconfirmed.
    /// </summary>
    private static string? AttributeValue(CounterState counter, string entity, string name, string value, bool json)
    {
        StoredAttribute? attribute;
        lock (counter.Gate) attribute = counter.Cdp.Attributes.FirstOrDefault(a => a.EntityType == entity && a.Name == name);
        if (attribute == null) return null;
        foreach (var item in attribute.Multivalued ? value.Split(',') : new[] { value })
        {
            string? problem = attribute.TypeName switch
            {
                "numeric" => decimal.TryParse(item, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _) ? null : "",
                "date" => Date(item, json ? JsonDateFormats : CsvDateFormats),
                "datetime" => Date(item, json ? JsonDateTimeFormats : CsvDateTimeFormats),
                "email" => CellRules.Emails(item) ? null : "",
                _ => null,
            };
            if (problem != null) return $": атрибут типа {attribute.TypeName}{problem}";
        }
        return null;
    }

    private static string? Date(string value, string[] formats)
    {
        // The module's layout is read without the framework's parser; every date-time format listed before it starts "dd.", so the outcome is the list's.
        DateTime d = default;
        bool parsed = (formats == CsvDateTimeFormats || formats == JsonDateTimeFormats) && SimpleOrdersRules.TryModuleLayout(value, out d)
            || DateTime.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out d);
        if (!parsed) return "";
        return d.Year < 1970 ? ": даты до 1970 года не поддерживаются" : null;
    }

    /// <summary>A detailed order's status: a type, an id of the counter's status schema, or a JS goal id of the counter.</summary>
    private static string? Status(string value, CounterState counter)
    {
        if (SimpleOrdersRules.StatusTypes.Contains(value)) return null;
        lock (counter.Gate) return counter.Statuses.ContainsKey(value) || counter.Goals.Contains(value) ? null : ": нет такого статуса или идентификатора цели";
    }

    private static bool Goal(string item, CounterState counter)
    {
        int colon = item.IndexOf(':');
        string goal = colon < 0 ? item : item[..colon];
        if (colon >= 0 && !decimal.TryParse(item[(colon + 1)..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _)) return false;
        lock (counter.Gate) return counter.Goals.Contains(goal);
    }

    private static bool Product(string item)
    {
        int colon = item.LastIndexOf(':');
        if (colon <= 0) return false;
        string name = item[..colon];
        return CdpEndpoints.IsName(name) && long.TryParse(item[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var q) && q > 0;
    }
}
