using System;
using System.Text.Json;

namespace MetricaCrm.Engine.Metrica
{
    public enum MergeMode { Save, Update, Append }

    /// <summary>
    /// One upload as Metrica reports it, plus what we sent: a CDP upload (UploadingMetaExternal: validation status,
    /// elements) or an offline conversions or calls upload (processing status and the quantities of linked rows).
    /// </summary>
    public sealed class MetricaUpload
    {
        public long CounterId { get; set; }
        /// <summary>simple_orders, contacts, orders, offline_conversions or calls.</summary>
        public string? Kind { get; set; }
        public string UploadId { get; set; } = "";
        /// <summary>CDP: api_validation_status PASSED or FAILED. Offline: PREPARED, UPLOADED, EXPORTED, MATCHED, PROCESSED or LINKAGE_FAILURE.</summary>
        public string? Status { get; set; }
        public long? ElementsCount { get; set; }
        /// <summary>Rows this module put in the file; null for uploads read back from Metrica.</summary>
        public long? RowsSent { get; set; }
        public DateTimeOffset? DateTime { get; set; }
        /// <summary>
        /// CDP uploads of a known kind: CONTACT, ORDER or SIMPLE_ORDER, the entity this module sent. Metrica's upload object
        /// names all three SYSTEM ("a system entity, e.g. contacts or orders"); that value is <see cref="MetricaEntityType"/>.
        /// Offline uploads: their type (BASIC, CALLS, CHATS).
        /// </summary>
        public string? EntityType
        {
            get => EntityOfKind(Kind) ?? MetricaEntityType;
            set => MetricaEntityType = value;
        }

        /// <summary>entity_type (CDP) or type (offline) as Metrica reported it.</summary>
        public string? MetricaEntityType { get; set; }

        private static string? EntityOfKind(string? kind) => kind switch
        {
            "simple_orders" => "SIMPLE_ORDER",
            "contacts" => "CONTACT",
            "orders" => "ORDER",
            _ => null,
        };
        public string? Format { get; set; }
        public string? Source { get; set; }
        public string? MergeMode { get; set; }
        public string? File { get; set; }

        /// <summary>Offline: rows in the file.</summary>
        public long? SourceQuantity { get; set; }
        /// <summary>Offline: rows that passed validation.</summary>
        public long? LineQuantity { get; set; }
        /// <summary>Offline: rows linked to a visitor.</summary>
        public long? LinkedQuantity { get; set; }
        public long? GoalNotFoundQuantity { get; set; }
        public long? UserNotFoundQuantity { get; set; }
        public long? StaticCallsQuantity { get; set; }
        public long? DynamicCallsQuantity { get; set; }
        /// <summary>Offline: the linked share of the rows in the file, in percent.</summary>
        public double? LinkedPercent => SourceQuantity > 0 && LinkedQuantity != null ? Math.Round(100.0 * LinkedQuantity.Value / SourceQuantity.Value, 1) : (double?)null;
        public string? Comment { get; set; }

        /// <summary>Refused inside an HTTP 200: CDP validation FAILED.</summary>
        public bool Failed => string.Equals(Status, "FAILED", StringComparison.OrdinalIgnoreCase);
        /// <summary>Offline: not a single row could be linked to a visitor.</summary>
        public bool LinkageFailed => string.Equals(Status, "LINKAGE_FAILURE", StringComparison.OrdinalIgnoreCase);
        /// <summary>Metrica will not change the status any more.</summary>
        public bool IsFinal => Status != null && (Failed || LinkageFailed ||
            string.Equals(Status, "PASSED", StringComparison.OrdinalIgnoreCase) || string.Equals(Status, "PROCESSED", StringComparison.OrdinalIgnoreCase));

        /// <summary>Copies what only the sender knows onto an upload read back from Metrica.</summary>
        public MetricaUpload WithSent(MetricaUpload sent)
        {
            RowsSent = sent.RowsSent;
            MergeMode = sent.MergeMode;
            File = sent.File;
            Kind ??= sent.Kind;
            return this;
        }

        internal static MetricaUpload FromOfflineJson(long counterId, string kind, JsonElement e) => new MetricaUpload
        {
            CounterId = counterId,
            Kind = kind,
            UploadId = Json.String(e, "id") ?? "",
            Status = Json.String(e, "status"),
            DateTime = Json.Date(e, "create_time"),
            SourceQuantity = Json.Long(e, "source_quantity"),
            LineQuantity = Json.Long(e, "line_quantity"),
            LinkedQuantity = Json.Long(e, "linked_quantity"),
            GoalNotFoundQuantity = Json.Long(e, "goal_not_found_quantity"),
            UserNotFoundQuantity = Json.Long(e, "user_not_found_quantity"),
            StaticCallsQuantity = Json.Long(e, "static_calls_quantity"),
            DynamicCallsQuantity = Json.Long(e, "dynamic_calls_quantity"),
            Comment = Json.String(e, "comment"),
            Format = "CSV",
            EntityType = Json.String(e, "type"),
        };

        internal static MetricaUpload FromJson(long counterId, JsonElement e) => new MetricaUpload
        {
            CounterId = counterId,
            UploadId = Json.String(e, "uploading_id") ?? "",
            Status = Json.String(e, "api_validation_status"),
            ElementsCount = Json.Long(e, "elements_count"),
            DateTime = Json.Date(e, "datetime"),
            EntityType = Json.String(e, "entity_type"),
            Format = Json.String(e, "uploading_format"),
            Source = Json.String(e, "uploading_source"),
        };

        public override string ToString() => SourceQuantity != null
            ? $"Upload {UploadId}: {Status}, {LinkedQuantity} of {SourceQuantity} rows linked"
            : $"Upload {UploadId}: {Status}, {ElementsCount} elements";
    }

    public sealed class CounterInfo
    {
        public long Id { get; set; }
        public string? Name { get; set; }
        public string TimeZoneName { get; set; } = "Europe/Moscow";
        public int? TimeZoneOffsetMinutes { get; set; }
        /// <summary>The token's access: own, edit, view, analyst... (null when Metrica does not say).</summary>
        public string? Permission { get; set; }
        /// <summary>own and edit may change the counter and upload data; guest view or analyst access may not.</summary>
        public bool? CanEdit => Permission == null ? (bool?)null : Permission == "own" || Permission == "edit";
    }

    /// <summary>A custom order status of the counter's schema (schema/order_statuses).</summary>
    public sealed class OrderStatusDefinition
    {
        public string Id { get; set; } = "";
        public string? Humanized { get; set; }
        /// <summary>IN_PROGRESS, PAID, CANCELLED, SPAM or OTHER.</summary>
        public string Type { get; set; } = "";
        public string[] GoalActionIds { get; set; } = Array.Empty<string>();
        public long CounterId { get; set; }

        public override string ToString() => $"{Id} -> {Type}";
    }

    /// <summary>A goal of the counter; JS-event goals carry the identifier that statuses and goal cells use.</summary>
    public sealed class MetricaGoal
    {
        public long Id { get; set; }
        public string? Name { get; set; }
        public string? Type { get; set; }
        public string[] Identifiers { get; set; } = Array.Empty<string>();
    }

    /// <summary>A custom attribute of one entity of the counter's CRM schema (schema/attributes).</summary>
    public sealed class MetricaAttribute
    {
        public long CounterId { get; set; }
        /// <summary>CONTACT, ORDER, SIMPLE_ORDER or COMPANY.</summary>
        public string EntityType { get; set; } = "";
        /// <summary>1-255 characters, ^[\w-:]+$.</summary>
        public string Name { get; set; } = "";
        /// <summary>numeric, date, datetime, email, text... (PREDEFINED types).</summary>
        public string TypeName { get; set; } = "text";
        public bool Multivalued { get; set; }
        public string? Humanized { get; set; }

        public override string ToString() => $"{EntityType}.{Name} ({TypeName})";
    }

    /// <summary>An item of the counter's product catalogue (schema/products).</summary>
    public sealed class MetricaProduct
    {
        public string Name { get; set; } = "";
        public string? Humanized { get; set; }
    }

    internal static class Json
    {
        public static string? String(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v)
                ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Null ? null : v.GetRawText()
                : null;

        public static long? Long(JsonElement e, string name) =>
            e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : (long?)null;

        public static DateTimeOffset? Date(JsonElement e, string name)
        {
            var s = String(e, name);
            if (s == null) return null;
            return DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var d) ? d : (DateTimeOffset?)null;
        }
    }
}
