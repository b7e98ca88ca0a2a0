using System;

namespace MetricaCrm.Engine.Orders
{
    /// <summary>An order as Metrica's simplified-orders upload understands it, already normalised.</summary>
    public sealed class CrmOrder
    {
        public string Id { get; set; } = "";
        /// <summary>An absolute instant; sending converts it to the counter's time zone.</summary>
        public DateTimeOffset CreateDateTime { get; set; }
        public string? ClientUniqId { get; set; }
        public string[] ClientIds { get; set; } = Array.Empty<string>();
        public string[] Emails { get; set; } = Array.Empty<string>();
        public string[] Phones { get; set; } = Array.Empty<string>();
        public string[] EmailsMd5 { get; set; } = Array.Empty<string>();
        public string[] PhonesMd5 { get; set; } = Array.Empty<string>();
        /// <summary>The status in the CRM's own words, kept as read.</summary>
        public string? OrderStatus { get; set; }
        /// <summary>The Metrica status (a type id or a JS goal id), set by Convert-MetricaStatus.</summary>
        public string? MetricaStatus { get; set; }
        public decimal? Revenue { get; set; }
        public decimal? Cost { get; set; }
        /// <summary>Extra JS goals reached with the order, each <c>goal[:price]</c>.</summary>
        public string[] Goals { get; set; } = Array.Empty<string>();
        public string? Currency { get; set; }
        public string? SourceFile { get; set; }
        public long SourceLine { get; set; }

        public bool HasIdentifier =>
            ClientIds.Length + Emails.Length + Phones.Length + EmailsMd5.Length + PhonesMd5.Length > 0;

        public override string ToString() => $"Order {Id} ({MetricaStatus ?? OrderStatus})";
    }
}
