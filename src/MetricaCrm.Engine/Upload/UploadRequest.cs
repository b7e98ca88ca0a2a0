using System;
using System.Text.Json;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>Which of Metrica's APIs takes an upload: the CRM (CDP) API or the Management API (offline conversions, calls).</summary>
    public enum UploadApi { Cdp, Management }

    /// <summary>
    /// Where a kind's batch goes and where its uploads are listed. The journal keeps it with each batch, so a batch kept
    /// after a failure is sent again exactly as it was first sent (same path, merge mode, comment), by any later process.
    /// </summary>
    public sealed class UploadRequest
    {
        public UploadRequest(UploadApi api, string kindName, string pathAndQuery, bool replaySafe, string? listPath = null)
        {
            Api = api;
            KindName = kindName;
            PathAndQuery = pathAndQuery;
            ReplaySafe = replaySafe;
            ListPath = listPath;
        }

        public UploadApi Api { get; }
        /// <summary>The kind as Metrica's paths name it (simple_orders, contacts, orders, offline_conversions, calls).</summary>
        public string KindName { get; }
        /// <summary>The path after /counter/{id}/, with its query.</summary>
        public string PathAndQuery { get; }
        /// <summary>Whether sending it twice gives the same result (see <see cref="UploadKind{TRecord}.IsReplaySafe"/>).</summary>
        public bool ReplaySafe { get; }
        /// <summary>Management uploads: the list of the counter's uploads of this kind (CDP uploads are all in last_uploadings).</summary>
        public string? ListPath { get; }

        /// <summary>What a table or an Export-Csv cell shows (instead of the type name).</summary>
        public override string ToString() => $"{Api} {PathAndQuery}";

        /// <summary>
        /// Whether a listed upload can be one of this kind's, by the entity_type Metrica lists it with: the docs give
        /// SYSTEM for contacts, orders and simple orders alike, so only CONTACT, ORDER or SIMPLE_ORDER (were Metrica ever to
        /// name them) rule an upload out; any other value, or none, is kept as possible.
        /// </summary>
        public static bool MayBeOfKind(string kindName, Metrica.MetricaUpload upload)
        {
            string? entity = upload.MetricaEntityType;
            if (string.IsNullOrEmpty(entity)) return true;
            string? expected = kindName switch { "simple_orders" => "SIMPLE_ORDER", "contacts" => "CONTACT", "orders" => "ORDER", _ => null };
            bool known = entity is "SIMPLE_ORDER" or "CONTACT" or "ORDER";
            return expected == null || !known || string.Equals(entity, expected, StringComparison.OrdinalIgnoreCase);
        }

        public string ToJson() => JsonSerializer.Serialize(new Stored { Api = Api.ToString(), Kind = KindName, Path = PathAndQuery, ReplaySafe = ReplaySafe, List = ListPath });

        public static UploadRequest FromJson(string json)
        {
            var s = JsonSerializer.Deserialize<Stored>(json) ?? throw new FormatException("An empty upload request.");
            return new UploadRequest((UploadApi)Enum.Parse(typeof(UploadApi), s.Api), s.Kind, s.Path, s.ReplaySafe, s.List);
        }

        private sealed class Stored
        {
            public string Api { get; set; } = "";
            public string Kind { get; set; } = "";
            public string Path { get; set; } = "";
            public bool ReplaySafe { get; set; }
            public string? List { get; set; }
        }
    }
}
