using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using MetricaCrm.Engine.Ingest;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// Any pipeline object (Import-Csv rows, Invoke-Sqlcmd DataRows, Invoke-RestMethod results, hashtables) as
    /// property names and text values, for binding by property name through the same column rules as CSV headers.
    /// </summary>
    internal static class PropertyBag
    {
        /// <summary>The object's properties; one that cannot be read as data stops the call (catalogue cmdlets).</summary>
        public static (List<string> names, List<string?> values) Read(PSObject obj)
        {
            var (names, values) = Read(obj, out var faults);
            if (faults.Count > 0) throw new ArgumentException(string.Join("; ", faults));
            return (names, values);
        }

        /// <summary>
        /// The object's properties as text. A property whose getter throws, or whose value is code (a script block),
        /// is a fault of the object, never left out or sent as its source text: a record read without it would be
        /// another record than the one the user has.
        /// </summary>
        public static (List<string> names, List<string?> values) Read(PSObject obj, out List<RowFault> faults)
        {
            var names = new List<string>();
            var values = new List<string?>();
            faults = new List<RowFault>();
            if (obj.BaseObject is IDictionary dict)
            {
                foreach (DictionaryEntry e in dict)
                {
                    string name = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
                    if (Unreadable(name, e.Value) is RowFault f) { faults.Add(f); continue; }
                    names.Add(name);
                    values.Add(Text(e.Value));
                }
                return (names, values);
            }
            foreach (var p in obj.Properties)
            {
                if (!p.IsGettable) continue;
                object? value;
                try { value = p.Value; }
                catch (GetValueException ex)
                {
                    faults.Add(new RowFault("UnreadableProperty", p.Name, null,
                        "a property that can be read: its getter failed (" + (ex.InnerException ?? ex).Message + ")"));
                    continue;
                }
                if (Unreadable(p.Name, value) is RowFault f) { faults.Add(f); continue; }
                names.Add(p.Name);
                values.Add(Text(value));
            }
            return (names, values);
        }

        private static RowFault? Unreadable(string name, object? value)
        {
            if (value is PSObject pso) value = pso.BaseObject;
            return value is ScriptBlock code
                ? new RowFault("InvalidPropertyValue", name, "{" + code + "}", "a value (text, a number, a date or a list of them), not a script block")
                : null;
        }

        /// <summary>The value of the first property named like one of <paramref name="keys"/> (case- and '_'-insensitive), or null.</summary>
        public static string? Find(List<string> names, List<string?> values, params string[] keys)
        {
            for (int i = 0; i < names.Count; i++)
                foreach (var key in keys)
                    if (string.Equals(names[i].Replace("_", ""), key, StringComparison.OrdinalIgnoreCase)) return values[i];
            return null;
        }

        /// <summary>Text as a CSV cell would hold it: invariant numbers, ISO dates (UTC marked Z), lists comma-joined.</summary>
        public static string? Text(object? value)
        {
            // ConvertFrom-Json objects: their values live on the wrapper, and their ToString is empty (a silent loss).
            if (value is PSObject wrapped && wrapped.BaseObject is PSCustomObject)
                return Pairs(wrapped.Properties.Where(p => p.IsGettable).Select(p => new KeyValuePair<string, object?>(p.Name, p.Value)));
            if (value is PSObject pso) value = pso.BaseObject;
            switch (value)
            {
                case null: return null;
                case DBNull _: return null;
                case string s: return s;
                case DateTime dt:
                    return dt.Kind == DateTimeKind.Utc
                        ? dt.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)
                        : dt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                case DateTimeOffset dto: return dto.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
                case IFormattable f: return f.ToString(null, CultureInfo.InvariantCulture);
                case IDictionary map:
                    return Pairs(map.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, object?>(Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "", e.Value)));
                case IEnumerable list:
                    var parts = new List<string>();
                    foreach (var item in list)
                    {
                        var t = Text(item);
                        if (!string.IsNullOrEmpty(t)) parts.Add(t!);
                    }
                    return string.Join(",", parts);
                default: return value.ToString();
            }
        }

        /// <summary>
        /// Metrica's own JSON shapes as the CSV cell forms the import reads: a goal {goal_action_id, price} is
        /// "id:price", a products map {pear: 10, apple: 30} is "pear:10,apple:30". Any other object is written as
        /// @{name=value; ...}, which no field reads, so its row is a located error instead of an empty field.
        /// </summary>
        private static string Pairs(IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            var list = pairs.ToList();
            var goal = list.FirstOrDefault(p => string.Equals(p.Key, "goal_action_id", StringComparison.OrdinalIgnoreCase));
            if (goal.Key != null && list.All(p => p.Key == goal.Key || string.Equals(p.Key, "price", StringComparison.OrdinalIgnoreCase)))
            {
                var price = list.FirstOrDefault(p => string.Equals(p.Key, "price", StringComparison.OrdinalIgnoreCase));
                string? amount = price.Key == null ? null : Text(price.Value);
                return Text(goal.Value) + (string.IsNullOrEmpty(amount) ? "" : ":" + amount);
            }
            if (list.Count > 0 && list.All(p => (p.Value is PSObject o ? o.BaseObject : p.Value) is int or long or double or decimal or float or short or byte))
                return string.Join(",", list.Select(p => p.Key + ":" + Text(p.Value)));
            return "@{" + string.Join("; ", list.Select(p => p.Key + "=" + Text(p.Value))) + "}";
        }
    }
}
