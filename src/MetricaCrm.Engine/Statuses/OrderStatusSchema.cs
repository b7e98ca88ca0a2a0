using System;
using System.Collections.Generic;
using System.Linq;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Statuses
{
    public enum SchemaChangeKind { Add, Update, Unchanged }

    /// <summary>What pushing one status does to the counter's schema.</summary>
    public sealed class OrderStatusChange
    {
        public string Id { get; set; } = "";
        public SchemaChangeKind Change { get; set; }
        public OrderStatusDefinition? Before { get; set; }
        public OrderStatusDefinition After { get; set; } = new OrderStatusDefinition();

        public override string ToString() => Change switch
        {
            SchemaChangeKind.Add => $"add {Id} ({After.Type})",
            SchemaChangeKind.Update => $"change {Id}: {Describe(Before!)} -> {Describe(After)}",
            _ => $"keep {Id} ({After.Type})",
        };

        private static string Describe(OrderStatusDefinition s) =>
            $"{s.Type}, '{s.Humanized}'" + (s.GoalActionIds.Length > 0 ? $", goals {string.Join(",", s.GoalActionIds)}" : "");
    }

    /// <summary>Checks custom status definitions before any request and diffs them against the counter's schema.</summary>
    public static class OrderStatusSchema
    {
        /// <summary>Problems with the definitions, each naming the status; empty when all can be sent.</summary>
        public static IReadOnlyList<string> Validate(IReadOnlyList<OrderStatusDefinition> statuses)
        {
            var problems = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in statuses)
            {
                if (string.IsNullOrWhiteSpace(s.Id)) { problems.Add("a status has no id"); continue; }
                if (!StatusMap.IsGoalIdentifier(s.Id)) problems.Add($"status id '{s.Id}' must be letters, digits, '_', '-' or '.' (at most 255)");
                if (!seen.Add(s.Id)) problems.Add($"status id '{s.Id}' is given twice");
                if (!StatusTypes.All.Contains(s.Type)) problems.Add($"status '{s.Id}' has type '{s.Type}'; the types are {string.Join(", ", StatusTypes.All)}");
                foreach (var g in s.GoalActionIds)
                    if (!StatusMap.IsGoalIdentifier(g)) problems.Add($"status '{s.Id}' names goal '{g}', which is not a JS goal identifier");
                if (s.Type == "OTHER" && s.GoalActionIds.Length == 0) problems.Add($"status '{s.Id}' has type OTHER but no goal_action_ids");
            }
            return problems;
        }

        public static IReadOnlyList<OrderStatusChange> Diff(IReadOnlyList<OrderStatusDefinition> current, IReadOnlyList<OrderStatusDefinition> wanted)
        {
            var byId = current.ToDictionary(s => s.Id, StringComparer.Ordinal);
            return wanted.Select(w =>
            {
                byId.TryGetValue(w.Id, out var before);
                var kind = before == null ? SchemaChangeKind.Add
                    : before.Type == w.Type && (before.Humanized ?? "") == (w.Humanized ?? w.Id) && before.GoalActionIds.SequenceEqual(w.GoalActionIds)
                        ? SchemaChangeKind.Unchanged : SchemaChangeKind.Update;
                return new OrderStatusChange { Id = w.Id, Change = kind, Before = before, After = w };
            }).ToList();
        }
    }
}
