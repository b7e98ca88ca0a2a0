using System.Collections.Generic;
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

        /// <summary>
        /// client_ids as strings of digits: the OpenAPI schema says int64, but the docs' own contacts example sends
        /// strings ("client_ids": ["1234567890"]), and a 19-20 digit ClientID as a JSON number is rounded by every
        /// reader that parses numbers as doubles (JavaScript, many gateways): a rounded id matches another visitor.
        /// A string cannot be rounded, and the documented example is what Metrica is known to read.
        /// </summary>
        public static void ClientIds(Utf8JsonWriter json, string[] ids) => Strings(json, "client_ids", ids);

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
