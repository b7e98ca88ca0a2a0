using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Statuses;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Pushes custom order statuses (id, humanized, type, goal_action_ids) to the counter's schema. Invalid types or
    /// ids stop it before any request; the change against the current schema is shown, and -WhatIf sends nothing
    /// (it still reads the schema and goals, to show the difference).
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "MetricaOrderStatus", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(OrderStatusChange))]
    public sealed class SetMetricaOrderStatusCommand : MetricaApiCmdlet
    {
        /// <summary>Absent: the counter of Connect-Metrica.</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get => CounterIdValue; set => CounterIdValue = value; }

        /// <summary>Statuses: objects or hashtables with Id, Humanized, Type and optional GoalActionIds.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

        /// <summary>Skips the confirmation prompt (ConfirmImpact is High), for unattended runs.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private readonly List<OrderStatusDefinition> _statuses = new List<OrderStatusDefinition>();

        protected override void ProcessRecord()
        {
            foreach (var o in InputObject) _statuses.Add(ToDefinition(o));
        }

        private static OrderStatusDefinition ToDefinition(PSObject o)
        {
            var (names, values) = PropertyBag.Read(o);
            string? Get(params string[] keys) => PropertyBag.Find(names, values, keys);
            var goals = Get("GoalActionIds", "Goals", "GoalActionId") ?? "";
            return new OrderStatusDefinition
            {
                Id = Get("Id")?.Trim() ?? "",
                Humanized = Get("Humanized", "Name")?.Trim(),
                Type = StatusTypes.Canonical(Get("Type")) ?? (Get("Type") ?? "").Trim(),
                GoalActionIds = goals.Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(g => g.Trim()).ToArray(),
            };
        }

        protected override void EndProcessing()
        {
            var problems = OrderStatusSchema.Validate(_statuses);
            if (problems.Count > 0)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Nothing was sent: " + string.Join("; ", problems) + "."),
                    "InvalidOrderStatus", ErrorCategory.InvalidArgument, _statuses));
            foreach (var s in _statuses) s.CounterId = CounterId;
            try
            {
                var goals = Call((client, ct) => client.GetGoalsAsync(CounterId, ct));
                var known = new HashSet<string>(goals.SelectMany(g => g.Identifiers), StringComparer.Ordinal);
                var unknown = _statuses.SelectMany(s => s.GoalActionIds).Where(g => !known.Contains(g)).Distinct().ToList();
                if (unknown.Count > 0)
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                        $"Nothing was sent: counter {CounterId} has no JS goal {string.Join(", ", unknown.Select(u => "'" + u + "'"))}."),
                        "UnknownGoal", ErrorCategory.ObjectNotFound, unknown));

                var current = Call((client, ct) => client.GetOrderStatusesAsync(CounterId, ct));
                var changes = OrderStatusSchema.Diff(current, _statuses);
                var toSend = changes.Where(c => c.Change != SchemaChangeKind.Unchanged).ToList();
                if (toSend.Count == 0)
                {
                    WriteVerbose($"Counter {CounterId} already has these {changes.Count} statuses; nothing to send.");
                }
                else if (ShouldProcess(Force, $"order statuses of Metrica counter {CounterId}", string.Join("; ", toSend)))
                {
                    Call(async (client, ct) => { await client.SetOrderStatusesAsync(CounterId, toSend.Select(c => c.After), ct).ConfigureAwait(false); return true; });
                }
                foreach (var c in changes) WriteObject(c);
            }
            catch (MetricaApiException ex)
            {
                WriteError(ApiError(ex, CounterId));
            }
            base.EndProcessing();
        }
    }
}
