using System;

namespace MetricaCrm.Engine.OfflineConversions
{
    /// <summary>What an offline conversion and a call share: who (one or more visitor ids), when, and what it was worth.</summary>
    public abstract class OfflineEvent
    {
        /// <summary>Metrica ClientID (the site visitor's id): links to the session before the event.</summary>
        public string? ClientId { get; set; }
        /// <summary>The site's own user id, for visitors whose setUserID was called.</summary>
        public string? UserId { get; set; }
        /// <summary>Yandex Direct click id: links to the ad click's session.</summary>
        public string? Yclid { get; set; }
        /// <summary>An absolute instant; sent as Unix seconds.</summary>
        public DateTimeOffset DateTime { get; set; }
        public decimal? Price { get; set; }
        public string? Currency { get; set; }
        public string? SourceFile { get; set; }
        public long SourceLine { get; set; }

        public virtual bool HasIdentifier => ClientId != null || UserId != null || Yclid != null;
    }

    /// <summary>A conversion that happened off the site (a shop sale, a phone order), for the offline conversions upload.</summary>
    public sealed class CrmConversion : OfflineEvent
    {
        /// <summary>E-commerce purchase id: links to the session of that purchase.</summary>
        public string? PurchaseId { get; set; }
        /// <summary>The JS goal identifier the conversion reaches (not the goal's name or numeric id).</summary>
        public string Target { get; set; } = "";

        public override bool HasIdentifier => base.HasIdentifier || PurchaseId != null;

        public override string ToString() => $"Conversion {Target} at {DateTime:yyyy-MM-dd HH:mm:ss zzz}";
    }
}
