using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MetricaCrm.Sandbox.Cdp;

/// <summary>
/// The detailed CRM path: contacts and orders as CSV or JSON, custom attributes, the product catalogue and the
/// attribute types, with Metrica's rules (fact sheet §3.1-§3.6, §3.10) and its envelopes.
/// </summary>
public static class CdpEndpoints
{
    private const string Base = "/cdp/api/v1/counter/{id:long}";
    public static readonly string[] EntityTypes = { "CONTACT", "COMPANY", "ORDER", "SIMPLE_ORDER" };
    public static readonly string[] PredefinedTypes = { "text", "numeric", "date", "datetime", "email" };
    public const int OrdersPerClientLimit = 100_000;

    public static void Map(WebApplication app, SandboxState state)
    {
        app.MapPost(Base + "/data/contacts/csv", (long id, HttpRequest r) => UploadAsync(state, id, r, "CONTACT", csv: true));
        app.MapPost(Base + "/data/contacts/json", (long id, HttpRequest r) => UploadAsync(state, id, r, "CONTACT", csv: false));
        app.MapPost(Base + "/data/orders/csv", (long id, HttpRequest r) => UploadAsync(state, id, r, "ORDER", csv: true));
        app.MapPost(Base + "/data/orders/json", (long id, HttpRequest r) => UploadAsync(state, id, r, "ORDER", csv: false));

        app.MapGet(Base + "/schema/attributes", (long id, HttpRequest r) =>
        {
            string? entity = r.Query["entity_type"];
            if (entity != null && !EntityTypes.Contains(entity)) return SandboxServer.Error(400, "invalid_parameter", $"Wrong parameter value: entity_type={entity}");
            var c = state.Counter(id);
            lock (c.Gate)
                return Results.Json(new
                {
                    attributes = c.Cdp.Attributes.Where(a => entity == null || a.EntityType == entity)
                        .Select(a => new { name = a.Name, type_name = a.TypeName, type_group = a.TypeName == "product" ? "SYSTEM_LIST" : "PREDEFINED", multivalued = a.Multivalued, humanized = a.Humanized, entity_type = a.EntityType }).ToArray(),
                });
        });
        app.MapPost(Base + "/schema/attributes", async (long id, HttpRequest r) =>
        {
            string? entity = r.Query["entity_type"];
            if (string.IsNullOrEmpty(entity)) return SandboxServer.Error(400, "missing_parameter", "Required request parameter 'entity_type' is not present");
            if (!EntityTypes.Contains(entity)) return SandboxServer.Error(400, "invalid_parameter", $"Wrong parameter value: entity_type={entity}");
            var (body, error) = await JsonBodyAsync(r);
            if (error != null) return error;
            if (body?["attributes"] is not JsonArray items) return SandboxServer.Error(400, "missing_parameter", "attributes is required");
            var parsed = new List<StoredAttribute>();
            foreach (var item in items)
            {
                var (attribute, problem) = ReadAttribute(item, entity);
                if (problem != null) return problem;
                parsed.Add(attribute!);
            }
            var c = state.Counter(id);
            lock (c.Gate)
                foreach (var a in parsed)
                    if (!c.Cdp.HasAttribute(a.EntityType, a.Name)) c.Cdp.Attributes.Add(a);
            return Results.Json(new { success = true });
        });
        app.MapPost(Base + "/schema/products", async (long id, HttpRequest r) =>
        {
            var (body, error) = await JsonBodyAsync(r);
            if (error != null) return error;
            // createproducts.md: "attributes" is required (0 to 160,000 of them), "items" is not (0 to 160,000).
            if (body?["attributes"] is not JsonArray listAttributes) return SandboxServer.Error(400, "missing_parameter", "attributes is required");
            if (listAttributes.Count > 160_000) return SandboxServer.Error(400, "limit_exceeded", "Не более 160000 атрибутов списка");
            foreach (var item in listAttributes)
                if (ReadAttribute(item, "PRODUCT").Error is IResult problem) return problem;
            var items = body["items"] is JsonArray a ? a : new JsonArray();
            if (body["items"] is not (null or JsonArray)) return SandboxServer.Error(400, "invalid_json", "items is an array");
            if (items.Count > 160_000) return SandboxServer.Error(400, "limit_exceeded", "Не более 160000 товаров");
            var products = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                string? name = Text(item, "name"), humanized = Text(item, "humanized");
                if (name == null || !IsName(name)) return SandboxServer.Error(400, "invalid_parameter", $"Wrong parameter value: name={name} (1-255 characters, ^[\\w-:]+$)");
                if (humanized is { Length: > 4096 }) return SandboxServer.Error(400, "invalid_parameter", $"Wrong parameter value: humanized of {name} is longer than 4096 characters");
                products[name] = humanized ?? name;
            }
            var c = state.Counter(id);
            lock (c.Gate) foreach (var p in products) c.Cdp.Products[p.Key] = p.Value;
            return Results.Json(new { success = true });
        });
        // The shape is ours (the docs list the method, not its answer): the predefined types and their group.
        app.MapGet(Base + "/schema/types", (long id) =>
            Results.Json(new { types = PredefinedTypes.Select(t => new { name = t, type_group = "PREDEFINED" }).ToArray() }));

        app.MapGet("/sandbox/counters/{id:long}/contacts", (long id) =>
        {
            var c = state.Counter(id);
            lock (c.Gate) return Results.Json(c.Cdp.Contacts.Values.OrderBy(x => x.UniqId, StringComparer.Ordinal).ToArray());
        });
    }

    private static async Task<IResult> UploadAsync(SandboxState state, long id, HttpRequest request, string entity, bool csv)
    {
        var counter = state.Counter(id);
        var (read, error) = await CdpUploads.ReadAsync(request, csv, state.MaxFileBytes);
        if (error != null) return error;
        if (CdpUploads.CheckEncoding(read!.Body) is string encoding) return SandboxServer.Error(400, "invalid_uploading", encoding);
        if (csv && entity == "CONTACT") return UploadContactsCsv(state, counter, request, read);
        List<CdpRows.Row> rows;
        lock (counter.Gate)
        {
            if (csv)
            {
                var (mapping, mappingError) = CdpUploads.ColumnsMapping(request.Query["columns_mapping"]);
                if (mappingError != null) return SandboxServer.Error(400, "invalid_parameter", mappingError);
                (rows, var readError) = CdpRows.ReadCsv(read.Body, read.Delimiter, entity, mapping!, counter.Cdp);
                if (readError != null) return SandboxServer.Error(400, readError.StartsWith("Wrong") ? "invalid_parameter" : "invalid_uploading", readError);
            }
            else
            {
                (rows, var type, var jsonError) = CdpRows.ReadJson(read.Body, entity, counter.Cdp);
                if (jsonError != null) return SandboxServer.Error(400, type!, jsonError);
            }
        }
        foreach (var row in rows)
            if (CdpRows.Check(row, entity, counter, json: !csv) is string problem)
                return SandboxServer.Error(400, "invalid_uploading", problem);

        var now = state.Clock.GetUtcNow();
        var upload = new StoredUpload
        {
            UploadingId = Guid.NewGuid().ToString("N"), DateTime = now, MergeMode = read.Mode, ElementsCount = rows.Count,
            VisibleAt = now + state.ListingDelay, EntityType = entity, Format = csv ? "CSV" : "JSON",
            FileText = StoredUpload.KeptText(read.Body),
        };
        lock (counter.Gate)
        {
            if (entity == "ORDER" && TooManyOrders(counter, rows) is string limit) return SandboxServer.Error(400, "invalid_uploading", limit);
            CdpUploads.List(counter, upload);
            string key = entity == "CONTACT" ? "uniq_id" : "id";
            IEnumerable<CdpRows.Row> ordered;
            lock (state.Random) ordered = CdpUploads.ApplyOrder(rows, r => r.Fields[key], state.Random).ToList();
            foreach (var row in ordered)
            {
                if (entity == "CONTACT") CdpMerge.Contact(counter.Cdp, row.Fields, read.Mode, upload.UploadingId);
                else CdpMerge.Order(counter, row.Fields, read.Mode, upload.UploadingId, now);
            }
        }
        return Results.Json(new { uploading = SandboxServer.UploadJson(upload) });
    }

    /// <summary>
    /// A contacts CSV is read twice, checked and then merged, instead of being kept as a dictionary per row: a file of
    /// a million contacts would otherwise hold them all twice. The outcome is the list's: the first problem with the
    /// columns wins over the first problem with a value, and rows run in <see cref="CdpUploads.ApplyOrder"/>'s order.
    /// </summary>
    private static IResult UploadContactsCsv(SandboxState state, CounterState counter, HttpRequest request, CdpUploads.Request read)
    {
        var (mapping, mappingError) = CdpUploads.ColumnsMapping(request.Query["columns_mapping"]);
        if (mappingError != null) return SandboxServer.Error(400, "invalid_parameter", mappingError);
        var ids = new List<string>();
        string? problem = null, readError;
        lock (counter.Gate)
            readError = CdpRows.ForEachCsvRow(read.Body, read.Delimiter, "CONTACT", mapping!, counter.Cdp, row =>
            {
                problem ??= CdpRows.Check(row, "CONTACT", counter, json: false);
                ids.Add(row.Fields["uniq_id"]);
            }, rowsKept: false);
        if (readError != null) return SandboxServer.Error(400, readError.StartsWith("Wrong") ? "invalid_parameter" : "invalid_uploading", readError);
        if (problem != null) return SandboxServer.Error(400, "invalid_uploading", problem);

        var now = state.Clock.GetUtcNow();
        var upload = new StoredUpload
        {
            UploadingId = Guid.NewGuid().ToString("N"), DateTime = now, MergeMode = read.Mode, ElementsCount = ids.Count,
            VisibleAt = now + state.ListingDelay, EntityType = "CONTACT", Format = "CSV", FileText = StoredUpload.KeptText(read.Body),
        };
        lock (counter.Gate)
        {
            CdpUploads.List(counter, upload);
            List<int> order;
            lock (state.Random) order = CdpUploads.ApplyOrder(Enumerable.Range(0, ids.Count).ToList(), p => ids[p], state.Random).ToList();
            // Rows of different contacts do not touch each other's record, so only the contacts whose rows the order
            // moved are held back, and then merged position by position; the rest merge as they are read.
            var moved = new HashSet<string>(StringComparer.Ordinal);
            for (int p = 0; p < order.Count; p++)
                if (order[p] != p) moved.Add(ids[p]);
            var held = new Dictionary<int, Dictionary<string, string>>();
            int position = 0;
            CdpRows.ForEachCsvRow(read.Body, read.Delimiter, "CONTACT", mapping!, counter.Cdp, row =>
            {
                if (moved.Contains(ids[position])) held[position] = new Dictionary<string, string>(row.Fields, StringComparer.Ordinal);
                else CdpMerge.Contact(counter.Cdp, row.Fields, read.Mode, upload.UploadingId);
                position++;
            }, rowsKept: false);
            for (int p = 0; p < order.Count; p++)
                if (held.ContainsKey(p)) CdpMerge.Contact(counter.Cdp, held[order[p]], read.Mode, upload.UploadingId);
        }
        SandboxServer.ReleaseAfterUpload(read.Body.Length);
        return Results.Json(new { uploading = SandboxServer.UploadJson(upload) });
    }

    /// <summary>At most 100,000 orders per client across the counter's store (the refusal's wording is ours).</summary>
    private static string? TooManyOrders(CounterState counter, List<CdpRows.Row> rows)
    {
        var counts = counter.Orders.ClientUniqIds().Where(c => c != null).GroupBy(c => c!).ToDictionary(g => g.Key, g => g.Count());
        foreach (var row in rows)
        {
            if (counter.Orders.ContainsKey(row.Fields["id"])) continue;
            string client = row.Fields["client_uniq_id"];
            counts[client] = counts.TryGetValue(client, out var n) ? n + 1 : 1;
            if (counts[client] > OrdersPerClientLimit)
                return $"Неверный формат данных, ошибка в строке номер {row.Line}: у клиента {client} больше {OrdersPerClientLimit} заказов";
        }
        return null;
    }

    /// <summary>
    /// One attribute of createattributes.md's body: name (1-255, ^[\w-:]+$), multivalued (required), humanized (at most
    /// 4096), and a type: type_group PREDEFINED (or none) with a predefined type_name, or SYSTEM_LIST with "product".
    /// CUSTOM_LIST is documented only as "a custom type" with no type_name or values: unconfirmed, so refused.
    /// </summary>
    private static (StoredAttribute? Attribute, IResult? Error) ReadAttribute(JsonNode? item, string entity)
    {
        string? name = Text(item, "name"), type = Text(item, "type_name"), humanized = Text(item, "humanized"), group = Text(item, "type_group");
        if (name == null || !IsName(name)) return (null, SandboxServer.Error(400, "invalid_parameter", $"Wrong parameter value: name={name} (1-255 characters, ^[\\w-:]+$)"));
        if (humanized != null && humanized.Length > 4096) return (null, SandboxServer.Error(400, "invalid_parameter", $"Wrong parameter value: humanized of {name} is longer than 4096 characters"));
        if (item?["multivalued"] is not JsonValue mv || !mv.TryGetValue<bool>(out var multivalued))
            return (null, SandboxServer.Error(400, "missing_parameter", $"multivalued is required for attribute {name}"));
        bool typed = group switch
        {
            null or "PREDEFINED" => type != null && PredefinedTypes.Contains(type),
            "SYSTEM_LIST" => type == "product",
            _ => false,
        };
        if (!typed) return (null, SandboxServer.Error(400, "invalid_parameter", $"Wrong parameter value: type_name={type}" + (group != null ? $", type_group={group}" : "")));
        if (CdpRows.Documented(entity).Contains(name)) return (null, SandboxServer.Error(400, "invalid_parameter", $"'{name}' is a system attribute of {entity}"));
        return (new StoredAttribute(entity, name, type!, multivalued, humanized ?? name), null);
    }

    private static async Task<(JsonNode? Body, IResult? Error)> JsonBodyAsync(HttpRequest request)
    {
        try { return (await JsonNode.ParseAsync(request.Body), null); }
        catch (System.Text.Json.JsonException ex) { return (null, SandboxServer.Error(400, "invalid_json", "Malformed JSON: " + ex.Message)); }
    }

    internal static string? Text(JsonNode? item, string name) => item?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>^[\w-:]+$ of 1-255 characters, \w as Java (Metrica's backend) reads it by default: ASCII letters, digits and '_'.</summary>
    internal static bool IsName(ReadOnlySpan<char> name)
    {
        if (name.Length is 0 or > 255) return false;
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or ':')) return false;
        return true;
    }
}

/// <summary>Merges uploaded rows into stored records as the merge mode says (fact sheet §3.2).</summary>
public static class CdpMerge
{
    /// <summary>SAVE replaces the record (absent fields become null); UPDATE sets the fields sent; APPEND adds list values. The creation date never changes.</summary>
    public static void Contact(CdpSchema schema, Dictionary<string, string> row, string mode, string uploadId)
    {
        string id = row["uniq_id"];
        schema.Contacts.TryGetValue(id, out var existing);
        var contact = mode == "SAVE" || existing == null ? new StoredContact { UniqId = id } : existing;
        foreach (var (name, value) in row)
        {
            if (name == "uniq_id") continue;
            bool field = CdpRows.ContactFields.Contains(name);
            Set(field ? contact.Fields : contact.Attributes, name, value, mode, field ? CdpRows.ListFields.Contains(name) : schema.IsMultivalued("CONTACT", name));
        }
        if (existing != null && existing.Fields.TryGetValue("create_date_time", out var created)) contact.Fields["create_date_time"] = created;
        contact.UploadId = uploadId;
        schema.Contacts[id] = contact;
    }

    public static void Order(CounterState counter, Dictionary<string, string> row, string mode, string uploadId, DateTimeOffset uploadedAt)
    {
        string id = row["id"];
        var existing = counter.Orders.Existing(id);
        var keep = LinkedOrderRules.KeepIfFrozen(existing, SimpleOrdersRules.CounterTime(counter, uploadedAt));
        var order = mode == "SAVE" || existing == null ? counter.Orders.Fresh(id, "detailed") : existing;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in row)
            if (CdpRows.OrderFields.Contains(name)) fields[name] = value;
            else Set(order.Attributes, name, value, mode, counter.Cdp.IsMultivalued("ORDER", name));
        order.CreateDateTime = existing?.CreateDateTime ?? fields["create_date_time"];
        // Linked when created within 21 days of the upload and its contact is known: Metrica processes orders only with
        // their client's data (uploadorders: "обязательно передайте данные о клиентах").
        order.Linked = existing?.Linked ?? (SimpleOrdersRules.CreatedWithinLinkWindow(order.CreateDateTime, counter, uploadedAt)
            && counter.Cdp.Contacts.ContainsKey(fields["client_uniq_id"]));
        string? Get(string name) => fields.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
        // A column the row has is set, an empty cell clearing the value (see Set); only a column left out keeps it.
        bool Has(string name) => fields.ContainsKey(name);
        if (Has("client_uniq_id")) order.ClientUniqId = Get("client_uniq_id");
        if (Has("client_type")) order.ClientType = Get("client_type");
        if (Has("order_status")) order.OrderStatus = Get("order_status");
        if (Has("update_date_time")) order.UpdateDateTime = Get("update_date_time");
        if (Has("finish_date_time")) order.FinishDateTime = Get("finish_date_time");
        if (Has("revenue")) order.Revenue = Get("revenue") is string r ? decimal.Parse(r, CultureInfo.InvariantCulture) : null;
        if (Has("cost")) order.Cost = Get("cost") is string c ? decimal.Parse(c, CultureInfo.InvariantCulture) : null;
        if (Has("currency")) order.Currency = Get("currency");
        if (Has("goals"))
        {
            if (mode != "APPEND" || Get("goals") == null) order.Goals.Clear();
            foreach (var g in (Get("goals") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)) if (!order.Goals.Contains(g)) order.Goals.Add(g);
        }
        if (Has("products"))
        {
            if (mode != "APPEND" || Get("products") == null) order.Products.Clear();
            foreach (var p in (Get("products") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int colon = p.LastIndexOf(':');
                order.Products[p[..colon]] = long.Parse(p[(colon + 1)..], CultureInfo.InvariantCulture);
            }
        }
        keep?.Invoke(order);
        order.UploadId = uploadId;
        counter.Orders.Save(order);
    }

    /// <summary>
    /// modes.md: SAVE and UPDATE set the value sent; APPEND adds a list's (or multivalued attribute's) new values to the
    /// stored ones. An empty cell (or a JSON null or "") clears the stored value in every mode: modes.md keeps only a field
    /// the upload leaves out, and whether Metrica reads an empty cell as "clear" is unconfirmed, so the sandbox takes the
    /// reading under which a client that sends one loses data [ours].
    /// </summary>
    private static void Set(IDictionary<string, string> target, string name, string value, string mode, bool list)
    {
        if (value.Length == 0)
        {
            target.Remove(name);
            return;
        }
        if (mode == "APPEND" && list && target.TryGetValue(name, out var old))
            target[name] = string.Join(",", old.Split(',').Concat(value.Split(',')).Distinct());
        else target[name] = value;
    }
}
