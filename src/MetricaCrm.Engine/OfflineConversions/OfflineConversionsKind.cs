using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.OfflineConversions
{
    /// <summary>
    /// Offline conversions (management/v1/.../offline_conversions/upload): the Target must be a JS goal identifier of
    /// the counter. Users often give the goal's name or numeric id instead; that is caught here and the identifier named.
    /// </summary>
    public sealed class OfflineConversionsKind : OfflineKind<CrmConversion>
    {
        private readonly IReadOnlyList<MetricaGoal>? _goals;
        private readonly HashSet<string>? _identifiers;

        /// <param name="goals">The counter's goals; null when not read (nothing is sent then).</param>
        public OfflineConversionsKind(OfflineOptions options, IReadOnlyList<MetricaGoal>? goals, Func<DateTimeOffset>? now = null) : base(options, now)
        {
            _goals = goals;
            _identifiers = goals == null ? null : new HashSet<string>(goals.SelectMany(g => g.Identifiers), StringComparer.Ordinal);
        }

        public override string Name => OfflinePaths.Conversions;
        public override Journal.JournalKind JournalKind => Journal.JournalKind.OfflineConversions;
        public override string RecordNoun => "conversion";

        protected override string Identity(CrmConversion e) =>
            $"{e.ClientId}|{e.UserId}|{e.Yclid}|{e.PurchaseId}|{e.Target}|{e.DateTime.ToUnixTimeSeconds()}";

        protected override RowFault? CheckEvent(CrmConversion e)
        {
            if (_identifiers == null || _identifiers.Contains(e.Target)) return null;
            var meant = _goals!.FirstOrDefault(g => g.Identifiers.Length > 0 &&
                (string.Equals(g.Name, e.Target, StringComparison.OrdinalIgnoreCase) || g.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) == e.Target));
            return meant != null
                ? new RowFault("GoalNameInsteadOfIdentifier", "Target", e.Target,
                    $"the goal's JS identifier '{meant.Identifiers[0]}': '{e.Target}' is the {(meant.Name == e.Target ? "name" : "numeric id")} of goal {meant.Id}")
                : new RowFault("UnknownGoal", "Target", e.Target,
                    $"a JS goal identifier of the counter ({(_identifiers.Count == 0 ? "it has none" : string.Join(", ", _identifiers.OrderBy(i => i).Take(20)))})");
        }

        public override BatchWriter<CrmConversion> OpenWriter(string path, TimeZoneInfo counterZone, CrmConversion first) =>
            new FilledColumnsCsvWriter<CrmConversion>(path + ".csv", OfflineCsvColumns.Conversions, counterZone, first);

        public override string ColumnKey(CrmConversion record) => OfflineCsvColumns.Conversions.KeyOf(record);

        public override UploadRequest Request(MergeMode mode) => OfflineRequest(Query("offline_conversions/upload", "type=BASIC"));
    }
}
