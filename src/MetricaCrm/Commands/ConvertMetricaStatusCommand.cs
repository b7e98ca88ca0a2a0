using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Orders;
using MetricaCrm.Engine.Statuses;

namespace MetricaCrm.Commands
{
    /// <summary>Maps each order's CRM status to a Metrica status; keeps the original status; reports what has no mapping.</summary>
    [Cmdlet(VerbsData.Convert, "MetricaStatus")]
    [OutputType(typeof(CrmOrder), typeof(PSObject))]
    public sealed class ConvertMetricaStatusCommand : MetricaApiCmdlet
    {
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSObject? InputObject { get; set; }

        /// <summary>A hashtable, or the path of a .psd1, .json or two-column .csv file: CRM status = Metrica status.</summary>
        [Parameter(Position = 0)]
        public object? Map { get; set; }

        /// <summary>Adds the built-in table of common English and Russian CRM status names; -Map wins over it.</summary>
        [Parameter]
        public SwitchParameter IncludeCommonStatuses { get; set; }

        [Parameter]
        public UnmappedStatusAction Unmapped { get; set; } = UnmappedStatusAction.Error;

        /// <summary>The JS goal id sent for unmapped statuses with -Unmapped Other.</summary>
        [Parameter]
        public string? OtherGoalId { get; set; }

        /// <summary>Optional: check that every goal id the map sends exists in this counter before any order flows.
        /// Only when given: a map is checked against a counter by choice, never Connect-Metrica's by surprise.</summary>
        [Parameter]
        public long CounterId { get => CounterIdValue; set => CounterIdValue = value; }

        private StatusConverter _converter = null!;

        protected override void BeginProcessing()
        {
            if (Map == null && !IncludeCommonStatuses)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -Map, -IncludeCommonStatuses, or both."), "StatusMapMissing", ErrorCategory.InvalidArgument, null));
            if (Unmapped == UnmappedStatusAction.Other && string.IsNullOrWhiteSpace(OtherGoalId))
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Unmapped Other sends unmapped statuses as a JS goal: name it with -OtherGoalId."),
                    "InvalidStatusMap", ErrorCategory.InvalidArgument, null));
            var map = new StatusMap();
            try
            {
                foreach (var pair in LoadMap(Map)) map.Add(pair.Key, pair.Value);
                if (IncludeCommonStatuses) map.IncludeCommonStatuses();
                _converter = new StatusConverter(map, Unmapped, OtherGoalId);
                _converter.Summary.Label = MyInvocation.MyCommand.Name;
            }
            catch (Exception ex) when (ex is ArgumentException || ex is CrmInputException || ex is IOException || ex is ParseException)
            {
                string id = ex is CrmInputException c ? c.ErrorId : "InvalidStatusMap";
                ThrowTerminatingError(new ErrorRecord(ex, id, ErrorCategory.InvalidArgument, Map));
            }
            if (MyInvocation.BoundParameters.ContainsKey(nameof(CounterId)) && CounterId > 0) CheckGoals(map);
        }

        private void CheckGoals(StatusMap map)
        {
            var wanted = map.GoalIds.ToList();
            if (Unmapped == UnmappedStatusAction.Other && OtherGoalId != null) wanted.Add(OtherGoalId.Trim());
            if (wanted.Count == 0) return;
            IReadOnlyList<MetricaGoal> goals;
            IReadOnlyList<OrderStatusDefinition> schema;
            try
            {
                goals = Call((client, ct) => client.GetGoalsAsync(CounterId, ct));
                schema = Call((client, ct) => client.GetOrderStatusesAsync(CounterId, ct));
            }
            catch (MetricaApiException ex)
            {
                ThrowTerminatingError(ApiError(ex, CounterId));
                return;
            }
            // A map value that is not a type is a JS goal identifier or a custom status id of the counter's schema.
            var known = new HashSet<string>(goals.SelectMany(g => g.Identifiers).Concat(schema.Select(s => s.Id)), StringComparer.Ordinal);
            var missing = wanted.Where(g => !known.Contains(g)).Distinct().ToList();
            if (missing.Count > 0)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"The map sends {string.Join(", ", missing.Select(m => "'" + m + "'"))}, which counter {CounterId} has neither as a JS-event goal nor as a custom status. " +
                    $"Its goal identifiers and status ids: {(known.Count == 0 ? "(none)" : string.Join(", ", known.OrderBy(k => k)))}. Use the goal's identifier, not its name."),
                    "UnknownGoal", ErrorCategory.ObjectNotFound, missing));
            WriteVerbose($"All {wanted.Distinct().Count()} goal id(s) of the map exist in counter {CounterId}.");
        }

        private IEnumerable<KeyValuePair<string, string>> LoadMap(object? map)
        {
            if (map is PSObject pso) map = pso.BaseObject;
            switch (map)
            {
                case null: return Enumerable.Empty<KeyValuePair<string, string>>();
                case IDictionary dict: return FromDictionary(dict);
                case string path:
                    string full = GetUnresolvedProviderPathFromPSPath(path);
                    if (!File.Exists(full)) throw new IOException($"The status map file '{full}' does not exist.");
                    switch (Path.GetExtension(full).ToLowerInvariant())
                    {
                        case ".psd1": return FromDictionary(ReadDataFile(full));
                        case ".json": return StatusMapFile.ReadJson(full);
                        case ".csv": return StatusMapFile.ReadCsv(full);
                        default: throw new ArgumentException($"'{full}': a status map file is .psd1, .json or .csv.");
                    }
                default: throw new ArgumentException("-Map takes a hashtable or the path of a .psd1, .json or .csv file.");
            }
        }

        private static IEnumerable<KeyValuePair<string, string>> FromDictionary(IDictionary dict)
        {
            foreach (DictionaryEntry e in dict)
            {
                var value = e.Value is PSObject p ? p.BaseObject : e.Value;
                if (value is not string s || s.Trim().Length == 0)
                    throw new ArgumentException($"The map gives '{e.Key}' no Metrica status (a status type or a goal id as text).");
                yield return new KeyValuePair<string, string>(e.Key?.ToString() ?? "", s);
            }
        }

        /// <summary>Reads a .psd1 as data only (no code runs), as Import-PowerShellDataFile does.</summary>
        private static IDictionary ReadDataFile(string path)
        {
            var ast = Parser.ParseFile(path, out _, out var errors);
            if (errors.Length > 0)
                throw new ArgumentException($"{path}, line {errors[0].Extent.StartLineNumber}: {errors[0].Message}");
            var table = ast.Find(a => a is HashtableAst, false) as HashtableAst
                ?? throw new ArgumentException($"{path}: a .psd1 status map is one hashtable, @{{ 'paid' = 'PAID' }}.");
            return table.SafeGetValue() as IDictionary ?? throw new ArgumentException($"{path}: the hashtable could not be read as data.");
        }

        protected override void ProcessRecord()
        {
            // An order from Import-CrmOrder (the usual input) without the enumerator Items makes per object.
            if (InputObject?.BaseObject is CrmOrder) { Process(InputObject); return; }
            foreach (var item in Items(InputObject)) Process(item);
        }

        private void Process(PSObject input)
        {
            var order = input.BaseObject as CrmOrder;
            // A hashtable's entries are its fields (@{ id = 'A-1'; order_status = 'paid' }), not its properties.
            var table = order == null ? input.BaseObject as IDictionary : null;
            object? statusKey = table != null ? FindStatusKey(table) : null;
            PSPropertyInfo? statusProperty = order == null && table == null ? FindStatusProperty(input) : null;
            string? crmStatus = order != null ? order.OrderStatus
                : table != null ? (statusKey != null ? PropertyBag.Text(table[statusKey]) : null)
                : PropertyBag.Text(statusProperty?.Value);

            var outcome = _converter.Convert(crmStatus, out var metricaStatus);
            switch (outcome)
            {
                case StatusOutcome.Skipped:
                    WriteVerbose($"Skipped order {Describe(order, input)}: status '{crmStatus}' is not mapped.");
                    return;
                case StatusOutcome.Unmapped:
                    var ex = new InvalidDataException(
                        $"Order {Describe(order, input)}: CRM status '{crmStatus}' has no Metrica status in the map. Add it to -Map, or choose -Unmapped Skip|Keep|Other.");
                    WriteError(new ErrorRecord(ex, "UnmappedStatus", ErrorCategory.InvalidData, input));
                    return;
                case StatusOutcome.Kept:
                    WriteObject(input);
                    return;
            }
            if (order != null)
            {
                _converter.Apply(order, crmStatus, metricaStatus);
                WriteObject(order);
                return;
            }
            if (table != null)
            {
                table["MetricaStatus"] = metricaStatus;
                WriteObject(input);
                return;
            }
            var existing = input.Properties["MetricaStatus"];
            if (existing != null && existing.IsSettable) existing.Value = metricaStatus;
            else input.Properties.Add(new PSNoteProperty("MetricaStatus", metricaStatus));
            WriteObject(input);
        }

        private static object? FindStatusKey(IDictionary table)
        {
            int statusField = RecordSchema.Orders.IndexOf(CrmFields.OrderStatus);
            foreach (var key in table.Keys)
                if (key is string name && name != "MetricaStatus" && RecordSchema.Orders.Resolve(name) == statusField) return key;
            return null;
        }

        private static PSPropertyInfo? FindStatusProperty(PSObject obj)
        {
            int statusField = RecordSchema.Orders.IndexOf(CrmFields.OrderStatus);
            foreach (var p in obj.Properties)
                if (p.Name != "MetricaStatus" && RecordSchema.Orders.Resolve(p.Name) == statusField) return p;
            return null;
        }

        private static string Describe(CrmOrder? order, PSObject obj)
        {
            if (order != null) return $"{order.Id} ({order.SourceFile}, line {order.SourceLine})";
            if (obj.BaseObject is IDictionary table)
                foreach (var key in table.Keys)
                    if (key is string name && RecordSchema.Orders.Resolve(name) == 0) return PropertyBag.Text(table[key]) ?? "?";
            var id = obj.Properties.FirstOrDefault(p => RecordSchema.Orders.Resolve(p.Name) == 0);
            return id != null ? PropertyBag.Text(id.Value) ?? "?" : "(no id)";
        }

        protected override void EndProcessing()
        {
            var unmapped = _converter.Unmapped;
            if (unmapped.Count > 0)
            {
                int total = unmapped.Sum(p => p.Value);
                string action = Unmapped switch
                {
                    UnmappedStatusAction.Error => "reported as errors",
                    UnmappedStatusAction.Skip => "skipped",
                    UnmappedStatusAction.Keep => "passed on unchanged",
                    _ => $"sent as goal '{OtherGoalId}'",
                };
                WriteWarning($"{total} order(s) had {unmapped.Count} unmapped status(es), {action}: " +
                    string.Join(", ", unmapped.Select(p => $"'{p.Key}' ({p.Value})")) + ". Add them to the map once to fix every run.");
            }
            WriteInformation(_converter.Summary, new[] { "Summary" });
            base.EndProcessing();
        }
    }
}
