using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

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

    public sealed class UploadKindCompleter : ListCompleter
    {
        protected override IEnumerable<string> Values() => UploadKindNames.Completed;
    }

    /// <summary>One of the upload kinds (in any of its spellings, see <see cref="UploadKindNames"/>).</summary>
    public sealed class ValidateUploadKindAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var text = ValidateTimeZoneAttribute.Text(arguments);
            if (UploadKindNames.PathName(text) == null)
                throw new ValidationMetadataException($"'{text}' is not an upload kind: use one of {string.Join(", ", UploadKindNames.Completed)}.");
        }
    }
}
