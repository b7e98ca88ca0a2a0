using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>Field shapes shared by the CDP JSON bodies. Absent values are left out rather than sent as null.</summary>
    internal static class JsonFields
    {
        public static void String(Utf8JsonWriter json, string name, string? value)
        {
            if (value != null) json.WriteString(name, value);
        }

        public static void Strings(Utf8JsonWriter json, string name, string[] values)
        {
            if (values.Length == 0) return;
            json.WriteStartArray(name);
            foreach (var v in values) json.WriteStringValue(v);
            json.WriteEndArray();
        }

        /// <summary>client_ids: int64 numbers in the OpenAPI schema (import checked they are whole positive numbers).</summary>
        public static void ClientIds(Utf8JsonWriter json, string[] ids)
        {
            if (ids.Length == 0) return;
            json.WriteStartArray("client_ids");
            foreach (var id in ids) json.WriteNumberValue(ulong.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture));
            json.WriteEndArray();
        }

        /// <summary>
        /// attribute_values: the schema types it as string[][] in one version and object[] in another (unconfirmed);
        /// pairs [name, value] are sent, the string[][] form.
        /// </summary>
        public static void Attributes(Utf8JsonWriter json, Dictionary<string, string> attributes)
        {
            if (attributes.Count == 0) return;
            json.WriteStartArray("attribute_values");
            foreach (var pair in attributes.OrderBy(p => p.Key, System.StringComparer.Ordinal))
            {
                json.WriteStartArray();
                json.WriteStringValue(pair.Key);
                json.WriteStringValue(pair.Value);
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }

        public static void Decimal(Utf8JsonWriter json, string name, decimal? value)
        {
            if (value != null) json.WriteNumber(name, value.Value);
        }
    }
}
