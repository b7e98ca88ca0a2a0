using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace MetricaCrm.Engine.Statuses
{
    /// <summary>What to do with an order whose CRM status has no mapping.</summary>
    public enum UnmappedStatusAction { Error, Skip, Keep, Other }

    /// <summary>
    /// CRM status text → Metrica status (a type id, or a JS goal id of the counter, which Metrica counts as OTHER).
    /// Keys match case-, space- and ё/е-insensitively; explicit entries win over the common table.
    /// </summary>
    public sealed class StatusMap
    {
        private readonly Dictionary<string, string> _map = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _common = new Dictionary<string, string>(StringComparer.Ordinal);

        public int Count => _map.Count;

        /// <summary>Adds a mapping; throws with a clear message for a value that is neither a status type nor a goal id.</summary>
        public void Add(string crmStatus, string metricaStatus)
        {
            var key = Key(crmStatus);
            var value = ParseTarget(metricaStatus, crmStatus);
            if (_map.TryGetValue(key, out var existing) && existing != value)
                throw new ArgumentException($"The map gives '{crmStatus}' twice, as {existing} and as {value} (keys match ignoring case, spaces and ё/е).");
            _map[key] = value;
            _entries[key] = new KeyValuePair<string, string>(crmStatus, value);
            _written[key] = metricaStatus.Trim();
            _bySpelling.Clear();
        }

        private readonly Dictionary<string, KeyValuePair<string, string>> _entries = new Dictionary<string, KeyValuePair<string, string>>(StringComparer.Ordinal);

        private readonly Dictionary<string, string> _written = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>The map's value for a CRM status exactly as written ('paid', not PAID), or null (not in the map's own entries).</summary>
        public string? WrittenFor(string? crmStatus) => crmStatus != null && _written.TryGetValue(Key(crmStatus), out var w) ? w : null;

        /// <summary>The map's own entries as given (CRM status = Metrica status), without the common table.</summary>
        public IEnumerable<KeyValuePair<string, string>> GivenEntries => _entries.Values;

        public void IncludeCommonStatuses()
        {
            foreach (var pair in CommonStatuses.Table) _common[Key(pair.Key)] = pair.Value;
            _bySpelling.Clear();
        }

        public bool TryMap(string? crmStatus, out string metricaStatus)
        {
            // A CRM writes the same few status words on every row: each spelling is keyed (lower-cased, ё folded) once.
            if (crmStatus != null && _bySpelling.TryGetValue(crmStatus, out metricaStatus!)) return true;
            var key = Key(crmStatus ?? "");
            if (!_map.TryGetValue(key, out metricaStatus!) && !_common.TryGetValue(key, out metricaStatus!)) return false;
            if (crmStatus != null && _bySpelling.Count < MaxSpellings) _bySpelling[crmStatus] = metricaStatus;
            return true;
        }

        /// <summary>Mapped statuses by their exact text, as met (bounded; emptied when the map changes).</summary>
        private readonly Dictionary<string, string> _bySpelling = new Dictionary<string, string>(StringComparer.Ordinal);
        private const int MaxSpellings = 4096;

        /// <summary>The goal ids the map sends (values that are not status types), for checking against the counter's goals.</summary>
        public IEnumerable<string> GoalIds => _map.Values.Where(v => !StatusTypes.IsSendable(v)).Distinct();

        public IReadOnlyDictionary<string, string> Entries => _map;

        public static string Key(string text)
        {
            var sb = new StringBuilder(text.Length);
            bool space = false;
            foreach (char raw in text.Trim())
            {
                char c = char.ToLowerInvariant(raw);
                if (c == 'ё') c = 'е';
                if (char.IsWhiteSpace(c) || c == '_' || c == '-') { space = true; continue; }
                if (space && sb.Length > 0) sb.Append(' ');
                space = false;
                sb.Append(c);
            }
            return sb.ToString();
        }

        /// <summary>A status type (any case; CANCELED is the old spelling) or a goal id, else an exception.</summary>
        public static string ParseTarget(string value, string? forKey = null)
        {
            string v = value.Trim();
            string? type = StatusTypes.Canonical(v);
            if (type != null && StatusTypes.IsSendable(type)) return type;
            if (type == "OTHER")
                throw new ArgumentException($"'{forKey}' maps to OTHER; give the JS goal id itself (Metrica sets OTHER when a goal id is sent).");
            if (IsGoalIdentifier(v)) return v;
            throw new ArgumentException($"'{forKey}' maps to '{value}', which is neither a status type ({string.Join(", ", StatusTypes.Sendable)}) nor a JS goal identifier.");
        }

        /// <summary>A JS goal identifier (reachGoal name): letters, digits, '_', '-', '.', up to 255 characters.</summary>
        public static bool IsGoalIdentifier(string value)
        {
            if (value.Length == 0 || value.Length > 255) return false;
            foreach (char c in value)
                if (!(char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.')) return false;
            return true;
        }
    }
}
