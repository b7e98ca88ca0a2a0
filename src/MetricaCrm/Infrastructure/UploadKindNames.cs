using System;
using System.Collections.Generic;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// Get-MetricaUploadStatus -Kind: five kinds, each completed in one spelling; the API's names (simple_orders,
    /// offline_conversions, calls) and the journal's (Clients, OfflineConversions, Calls, which a piped journal batch
    /// binds) are still accepted, so scripts and pipelines keep working.
    /// </summary>
    internal static class UploadKindNames
    {
        public static readonly string[] Completed = { "SimpleOrders", "Contacts", "Orders", "OfflineConversion", "Call" };

        private static readonly Dictionary<string, string> PathNames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["SimpleOrders"] = "simple_orders", ["simple_orders"] = "simple_orders",
            ["Contacts"] = "contacts", ["Clients"] = "contacts",
            ["Orders"] = "orders",
            ["OfflineConversion"] = "offline_conversions", ["OfflineConversions"] = "offline_conversions", ["offline_conversions"] = "offline_conversions",
            ["Call"] = "calls", ["Calls"] = "calls",
        };

        /// <summary>The kind as Metrica's paths name it; null for a name of no kind.</summary>
        public static string? PathName(string? kind) => kind != null && PathNames.TryGetValue(kind.Trim(), out var name) ? name : null;
    }
}
