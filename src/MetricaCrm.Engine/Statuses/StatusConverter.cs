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
                    throw new ArgumentException("Sending unmapped statuses as a JS goal needs that goal's identifier.");
                if (!StatusMap.IsGoalIdentifier(otherGoalId!.Trim()))
                    throw new ArgumentException($"'{otherGoalId}' is not a JS goal identifier.");
            }
            _map = map;
            _unmapped = unmapped;
            Summary = new StatusConversionSummary();
            _otherGoalId = otherGoalId?.Trim();
        }

        public StatusConversionSummary Summary { get; }

        /// <summary>Sets the order's Metrica status as this converter decided it, and remembers which map decided.</summary>
        public void Apply(Orders.CrmOrder order, string? crmStatus, string? metricaStatus)
        {
            order.MetricaStatus = metricaStatus;
            order.MappedBy = _map;
            order.StatusAsWritten = _map.WrittenFor(crmStatus);
        }

        /// <summary>Decides the Metrica status for a CRM status; <paramref name="metricaStatus"/> is null when there is none to send.</summary>
        public StatusOutcome Convert(string? crmStatus, out string? metricaStatus)
        {
            var outcome = Decide(crmStatus, out metricaStatus);
            Summary.Count(outcome);
            return outcome;
        }

        private StatusOutcome Decide(string? crmStatus, out string? metricaStatus)
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

namespace MetricaCrm.Engine.Statuses
{
    /// <summary>What a status conversion did with every record it received; the counts add up to <see cref="Received"/>.</summary>
    public sealed class StatusConversionSummary
    {
        /// <summary>Who is reporting, shown first in the text form.</summary>
        public string Label { get; set; } = "status conversion";
        public long Received { get; private set; }
        /// <summary>Records whose CRM status the map (or the common table) gave a Metrica status.</summary>
        public long Mapped { get; private set; }
        /// <summary>Records with an unmapped status sent on as the chosen JS goal.</summary>
        public long SentAsGoal { get; private set; }
        /// <summary>Records with an unmapped status passed on unchanged, without a Metrica status.</summary>
        public long Kept { get; private set; }
        /// <summary>Records with an unmapped status dropped on purpose.</summary>
        public long Skipped { get; private set; }
        /// <summary>Records with an unmapped status reported as errors and not passed on.</summary>
        public long Unmapped { get; private set; }

        internal void Count(StatusOutcome outcome)
        {
            Received++;
            switch (outcome)
            {
                case StatusOutcome.Mapped: Mapped++; break;
                case StatusOutcome.Other: SentAsGoal++; break;
                case StatusOutcome.Kept: Kept++; break;
                case StatusOutcome.Skipped: Skipped++; break;
                default: Unmapped++; break;
            }
        }

        public override string ToString() =>
            $"{Label}: received {Received}, mapped {Mapped}, sent as goal {SentAsGoal}, kept {Kept}, skipped {Skipped}, unmapped errors {Unmapped}";
    }
}
