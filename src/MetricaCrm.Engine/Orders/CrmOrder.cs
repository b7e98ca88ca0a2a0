using System;
using System.Collections.Generic;

namespace MetricaCrm.Engine.Orders
{
    /// <summary>An order as Metrica's order uploads (simplified or detailed) understand it, already normalised.</summary>
    public sealed class CrmOrder
    {
        public string Id { get; set; } = "";
        /// <summary>An absolute instant; sending converts it to the counter's time zone. Metrica never changes it once stored.</summary>
        public DateTimeOffset CreateDateTime { get; set; }
        public DateTimeOffset? UpdateDateTime { get; set; }
        /// <summary>When the order was paid or closed; Metrica fills it from the first PAID-type upload when absent.</summary>
        public DateTimeOffset? FinishDateTime { get; set; }
        /// <summary>The CRM's id of the client (the contact's uniq_id); required by detailed orders.</summary>
        public string? ClientUniqId { get; set; }
        public string[] ClientIds { get; set; } = Array.Empty<string>();
        public string[] Emails { get; set; } = Array.Empty<string>();
        public string[] Phones { get; set; } = Array.Empty<string>();
        public string[] EmailsMd5 { get; set; } = Array.Empty<string>();
        public string[] PhonesMd5 { get; set; } = Array.Empty<string>();
        /// <summary>The status in the CRM's own words, kept as read.</summary>
        public string? OrderStatus { get; set; }
        /// <summary>The Metrica status (a type, a status-schema id or a JS goal id), set by Convert-MetricaStatus.</summary>
        public string? MetricaStatus { get; set; }
        /// <summary>The map that set <see cref="MetricaStatus"/>: the Send checks its every value against the counter
        /// once, before the first upload (internal: not a column of the order a user sees or exports).</summary>
        internal Statuses.StatusMap? MappedBy { get; set; }
        /// <summary>The map's value as its author wrote it ('paid'), before it was read as a type (PAID): a detailed
        /// order sends a status id of the counter's schema exactly, and schema ids are case-sensitive.</summary>
        internal string? StatusAsWritten { get; set; }
        public decimal? Revenue { get; set; }
        public decimal? Cost { get; set; }
        /// <summary>Extra JS goals reached with the order, each <c>goal[:price]</c>.</summary>
        public string[] Goals { get; set; } = Array.Empty<string>();
        public string? Currency { get; set; }
        /// <summary>Products of the order and their quantities, in the order they were read.</summary>
        public List<OrderProduct> Products { get; set; } = new List<OrderProduct>();
        /// <summary>Custom attributes of the counter's ORDER entity, by attribute name.</summary>
        public Dictionary<string, string> Attributes { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
        public string? SourceFile { get; set; }
        public long SourceLine { get; set; }

        public bool HasIdentifier =>
            ClientIds.Length + Emails.Length + Phones.Length + EmailsMd5.Length + PhonesMd5.Length > 0;

        public override string ToString() => $"Order {Id} ({MetricaStatus ?? OrderStatus})";
    }

    /// <summary>One product line of an order: the catalogue name (schema/products) and a whole quantity.</summary>
    public sealed class OrderProduct
    {
        public OrderProduct(string name, long quantity)
        {
            Name = name;
            Quantity = quantity;
        }

        public string Name { get; }
        public long Quantity { get; }

        public override string ToString() => $"{Name}:{Quantity}";
    }
}
