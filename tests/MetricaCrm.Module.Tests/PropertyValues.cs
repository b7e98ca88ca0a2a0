using System.Collections;
using System.Linq;
using System.Management.Automation;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// An order's, contact's or order status's multi-valued field as PowerShell shows it: a list (MetricaCrm.Types.ps1xml) whose text is
/// the values comma-joined, so Export-Csv writes them; its values, in order.
/// </summary>
internal static class PropertyValues
{
    public static string[] Strings(PSObject record, string name) =>
        ((IEnumerable)record.Properties[name].Value).Cast<object>().Select(v => v.ToString()!).ToArray();
}
