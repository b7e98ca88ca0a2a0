using System;
using System.Threading;
using System.Threading.Tasks;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.OfflineConversions;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.Calls
{
    /// <summary>
    /// Calls (management/v1/.../offline_conversions/upload_calls). Static calls never link to sessions: a file of static
    /// calls only ends in LINKAGE_FAILURE, which for it is the normal outcome.
    /// </summary>
    public sealed class CallsKind : OfflineKind<CrmCall>
    {
        private readonly string? _newGoalName;

        /// <param name="newGoalName">A goal Metrica creates for calls when the counter has none (ignored otherwise).</param>
        public CallsKind(OfflineOptions options, string? newGoalName, Func<DateTimeOffset>? now = null) : base(options, now)
        {
            if (newGoalName != null && (newGoalName.Trim().Length == 0 || newGoalName.Length > 255))
                throw new ArgumentException("The name of a new calls goal is 1 to 255 characters.");
            _newGoalName = newGoalName;
        }

        public override string Name => OfflineConversions.OfflinePaths.Calls;
        public override Journal.JournalKind JournalKind => Journal.JournalKind.Calls;
        public override string RecordNoun => "call";

        /// <summary>True once a call of this send was dynamic (only those can link).</summary>
        public bool SentDynamicCalls { get; private set; }

        protected override string Identity(CrmCall e) => $"{e.ClientId}|{e.UserId}|{e.Yclid}|{e.DateTime.ToUnixTimeSeconds()}|{e.PhoneNumber}";

        protected override RowFault? CheckEvent(CrmCall e)
        {
            if (e.StaticCall != true) SentDynamicCalls = true;
            return null;
        }

        public override BatchWriter<CrmCall> OpenWriter(string path, TimeZoneInfo counterZone, CrmCall first) =>
            new FilledColumnsCsvWriter<CrmCall>(path + ".csv", OfflineCsvColumns.Calls, counterZone, first);

        public override string ColumnKey(CrmCall record) => OfflineCsvColumns.Calls.KeyOf(record);

        public override UploadRequest Request(MergeMode mode) =>
            OfflineRequest(Query("offline_conversions/upload_calls", _newGoalName == null ? null : "new_goal_name=" + Uri.EscapeDataString(_newGoalName)));
    }
}
