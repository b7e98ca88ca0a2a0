using System;
using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Statuses
{
    public enum StatusOutcome { Mapped, Kept, Other, Skipped, Unmapped }

    /// <summary>Applies a <see cref="StatusMap"/> to orders one at a time and counts what had no mapping.</summary>
    public sealed class StatusConverter
    {
        private readonly StatusMap _map;
        private readonly UnmappedStatusAction _unmapped;
        private readonly string? _otherGoalId;
        private readonly Dictionary<string, int> _unmappedCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _unmappedSpelling = new Dictionary<string, string>(StringComparer.Ordinal);

        public StatusConverter(StatusMap map, UnmappedStatusAction unmapped, string? otherGoalId)
        {
            if (unmapped == UnmappedStatusAction.Other)
            {
                if (string.IsNullOrWhiteSpace(otherGoalId))
                    throw new ArgumentException("-Unmapped Other sends unmapped statuses as a JS goal: name it with -OtherGoalId.");
                if (!StatusMap.IsGoalIdentifier(otherGoalId!.Trim()))
                    throw new ArgumentException($"-OtherGoalId '{otherGoalId}' is not a JS goal identifier.");
            }
            _map = map;
            _unmapped = unmapped;
            _otherGoalId = otherGoalId?.Trim();
        }

        /// <summary>Decides the Metrica status for a CRM status; <paramref name="metricaStatus"/> is null when there is none to send.</summary>
        public StatusOutcome Convert(string? crmStatus, out string? metricaStatus)
        {
            if (_map.TryMap(crmStatus, out var mapped))
            {
                metricaStatus = mapped;
                return StatusOutcome.Mapped;
            }
            string shown = crmStatus?.Trim() ?? "";
            string key = StatusMap.Key(shown);
            _unmappedCounts[key] = _unmappedCounts.TryGetValue(key, out var n) ? n + 1 : 1;
            if (!_unmappedSpelling.ContainsKey(key)) _unmappedSpelling[key] = shown;
            switch (_unmapped)
            {
                case UnmappedStatusAction.Keep:
                    metricaStatus = null;
                    return StatusOutcome.Kept;
                case UnmappedStatusAction.Other:
                    metricaStatus = _otherGoalId;
                    return StatusOutcome.Other;
                case UnmappedStatusAction.Skip:
                    metricaStatus = null;
                    return StatusOutcome.Skipped;
                default:
                    metricaStatus = null;
                    return StatusOutcome.Unmapped;
            }
        }

        /// <summary>Every distinct unmapped status with its count, most frequent first ("(empty)" for no status).</summary>
        public IReadOnlyList<KeyValuePair<string, int>> Unmapped =>
            _unmappedCounts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new KeyValuePair<string, int>(_unmappedSpelling[p.Key].Length == 0 ? "(empty)" : _unmappedSpelling[p.Key], p.Value))
                .ToList();
    }
}
