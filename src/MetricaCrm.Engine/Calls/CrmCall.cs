using MetricaCrm.Engine.OfflineConversions;

namespace MetricaCrm.Engine.Calls
{
    /// <summary>A phone call, as call trackers export it, for the calls upload.</summary>
    public sealed class CrmCall : OfflineEvent
    {
        /// <summary>True for a static (fixed) number: never linked to a session, but shown in call reports.</summary>
        public bool? StaticCall { get; set; }
        /// <summary>The number called, '+' and digits with country and area code.</summary>
        public string? PhoneNumber { get; set; }
        public long? TalkDuration { get; set; }
        public long? HoldDuration { get; set; }
        public bool? CallMissed { get; set; }
        public string? Tag { get; set; }
        public bool? FirstTimeCaller { get; set; }
        public string? Url { get; set; }
        public string? CallTrackerUrl { get; set; }

        public override string ToString() => $"Call at {DateTime:yyyy-MM-dd HH:mm:ss zzz}";
    }
}
