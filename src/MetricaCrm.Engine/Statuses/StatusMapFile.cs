using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using CsvHelper;
using MetricaCrm.Engine.Ingest;

namespace MetricaCrm.Engine.Statuses
{
    /// <summary>Status maps kept as files: JSON objects ({"paid": "PAID"}) or two-column CSV (crm status, metrica status).</summary>
    public static class StatusMapFile
    {
        public static IEnumerable<KeyValuePair<string, string>> ReadJson(string path)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new CrmInputException("InvalidStatusMap", $"{path}: a JSON status map is one object, {{\"crm status\": \"PAID\", ...}}.");
            var list = new List<KeyValuePair<string, string>>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw new CrmInputException("InvalidStatusMap", $"{path}: the value of '{p.Name}' must be a string (a status type or a goal id).");
                list.Add(new KeyValuePair<string, string>(p.Name, p.Value.GetString()!));
            }
            return list;
        }

        public static IEnumerable<KeyValuePair<string, string>> ReadCsv(string path)
        {
            var list = new List<KeyValuePair<string, string>>();
            using var reader = CsvReader.FromFile(path, CsvReaderOptions.Default with { TrackLineNumbers = true, Encoding = EncodingDetector.Detect(path) });
            if (reader.Headers.Count < 2)
                throw new CrmInputException("InvalidStatusMap", $"{path}: a CSV status map has two columns, the CRM status and the Metrica status, under a header row.");
            while (reader.Read())
            {
                string key = reader.GetString(0), value = reader.FieldCount > 1 ? reader.GetString(1) : "";
                if (key.Trim().Length == 0 && value.Trim().Length == 0) continue;
                if (value.Trim().Length == 0)
                    throw new CrmInputException("InvalidStatusMap", $"{path}, line {reader.LineNumber}: '{key}' has no Metrica status.");
                list.Add(new KeyValuePair<string, string>(key, value));
            }
            return list;
        }
    }
}
