using System;
using System.Collections.Generic;
using System.Linq;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Statuses;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>What creating one attribute does to the counter's schema.</summary>
    public sealed class AttributeChange
    {
        public string EntityType { get; set; } = "";
        public string Name { get; set; } = "";
        /// <summary>Add: created. Unchanged: already there, not sent. Update: there with another type or multiplicity, not sent (see <see cref="AttributeSchema"/>).</summary>
        public SchemaChangeKind Change { get; set; }
        public MetricaAttribute? Before { get; set; }
        public MetricaAttribute After { get; set; } = new MetricaAttribute();
        /// <summary>True when the change was sent to Metrica (false under -WhatIf, when declined, or when nothing needed sending).</summary>
        public bool Applied { get; set; }

        public override string ToString() => Change switch
        {
            SchemaChangeKind.Add => $"add {EntityType}.{Name} ({After.TypeName}{(After.Multivalued ? ", multivalued" : "")})",
            SchemaChangeKind.Update => $"{EntityType}.{Name} is {Before!.TypeName}{(Before.Multivalued ? ", multivalued" : "")}, not {After.TypeName}{(After.Multivalued ? ", multivalued" : "")}",
            _ => $"keep {EntityType}.{Name}",
        };
    }

    /// <summary>
    /// Checks attribute definitions before any request and diffs them against the counter. Metrica documents creating
    /// attributes but not changing an existing one's type or multiplicity, so such a change is reported and not sent.
    /// </summary>
    public static class AttributeSchema
    {
        public static readonly IReadOnlyList<string> EntityTypes = new[] { "CONTACT", "ORDER", "SIMPLE_ORDER", "COMPANY" };
        public static readonly IReadOnlyList<string> PredefinedTypes = new[] { "text", "numeric", "date", "datetime", "email" };

        public static IReadOnlyList<string> Validate(IEnumerable<MetricaAttribute> attributes)
        {
            var problems = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var a in attributes)
            {
                if (!EntityTypes.Contains(a.EntityType)) problems.Add($"attribute '{a.Name}' is for entity '{a.EntityType}'; entities are {string.Join(", ", EntityTypes)}");
                if (!AttributeNames.IsValid(a.Name)) problems.Add($"attribute name '{a.Name}' must be 1-255 letters, digits, '_', '-' or ':'");
                if (!PredefinedTypes.Contains(a.TypeName)) problems.Add($"attribute '{a.Name}' has type '{a.TypeName}'; the types are {string.Join(", ", PredefinedTypes)}");
                if ((a.Humanized ?? "").Length > 4096) problems.Add($"the display name of attribute '{a.Name}' is longer than 4,096 characters");
                if (!seen.Add(a.EntityType + "." + a.Name)) problems.Add($"attribute '{a.EntityType}.{a.Name}' is given twice");
            }
            return problems;
        }

        public static IReadOnlyList<AttributeChange> Diff(IReadOnlyList<MetricaAttribute> current, IEnumerable<MetricaAttribute> wanted)
        {
            var byName = current.GroupBy(a => a.EntityType + "." + a.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            return wanted.Select(w =>
            {
                byName.TryGetValue(w.EntityType + "." + w.Name, out var before);
                var kind = before == null ? SchemaChangeKind.Add
                    : before.TypeName == w.TypeName && before.Multivalued == w.Multivalued ? SchemaChangeKind.Unchanged : SchemaChangeKind.Update;
                return new AttributeChange { EntityType = w.EntityType, Name = w.Name, Change = kind, Before = before, After = w };
            }).ToList();
        }
    }
}
