using System;
using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Statuses
{
    /// <summary>Metrica's order status types, in one place.</summary>
    public static class StatusTypes
    {
        /// <summary>The types an order can be sent with directly (without a status schema).</summary>
        public static readonly IReadOnlyList<string> Sendable = new[] { "IN_PROGRESS", "PAID", "CANCELLED", "SPAM" };

        /// <summary>Every type a status of the schema can have; OTHER is what Metrica counts a JS goal id as.</summary>
        public static readonly IReadOnlyList<string> All = Sendable.Concat(new[] { "OTHER" }).ToArray();

        /// <summary>A type in its canonical spelling (any case, spaces for '_', the old CANCELED), or null.</summary>
        public static string? Canonical(string? value)
        {
            if (value == null) return null;
            string upper = value.Trim().ToUpperInvariant().Replace(' ', '_');
            if (upper == "CANCELED") upper = "CANCELLED"; // older English docs' spelling
            if (upper == "INPROGRESS") upper = "IN_PROGRESS";
            return All.Contains(upper) ? upper : null;
        }

        public static bool IsSendable(string value) => Sendable.Contains(value, StringComparer.Ordinal);
    }
}
