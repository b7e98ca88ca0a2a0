using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Statuses;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Creates custom attributes of the counter (schema/attributes) so that imports can carry them (-Attribute).
    /// Invalid definitions stop it before any request; the difference to the current schema is shown, attributes that
    /// exist are not sent again, and -WhatIf sends nothing (it still reads the schema to show the difference).
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "MetricaAttribute", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Name")]
    [OutputType(typeof(AttributeChange))]
    public sealed class SetMetricaAttributeCommand : MetricaApiCmdlet
    {
        /// <summary>Absent: the counter of Connect-Metrica.</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get => CounterIdValue; set => CounterIdValue = value; }

        /// <summary>
        /// CONTACT, ORDER, SIMPLE_ORDER or COMPANY. With objects, the entity of those that name none: the documented
        /// request body carries no entity (it is schema/attributes' query parameter), so the docs' objects need it.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = "Name")]
        [Parameter(ParameterSetName = "InputObject")]
        [ValidateSet("CONTACT", "ORDER", "SIMPLE_ORDER", "COMPANY")]
        public string EntityType { get; set; } = "";

        /// <summary>Attribute names: 1-255 letters, digits, '_', '-' or ':'.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Name")]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>text (default), numeric, date, datetime or email.</summary>
        [Parameter(ParameterSetName = "Name")]
        [ValidateSet("text", "numeric", "date", "datetime", "email")]
        public string TypeName { get; set; } = "text";

        [Parameter(ParameterSetName = "Name")]
        public SwitchParameter Multivalued { get; set; }

        /// <summary>The name shown in Metrica's reports; absent: the attribute's name.</summary>
        [Parameter(ParameterSetName = "Name")]
        public string? Humanized { get; set; }

        /// <summary>Definitions as objects or hashtables with EntityType, Name, TypeName, Multivalued, Humanized.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "InputObject")]
        public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

        /// <summary>Skips the confirmation prompt (ConfirmImpact is High), for unattended runs.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private readonly List<MetricaAttribute> _wanted = new List<MetricaAttribute>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == "Name")
            {
                foreach (var n in Name)
                    _wanted.Add(new MetricaAttribute { CounterId = CounterId, EntityType = EntityType, Name = n.Trim(), TypeName = TypeName, Multivalued = Multivalued, Humanized = Humanized });
                return;
            }
            foreach (var o in InputObject)
            {
                var (names, values) = PropertyBag.Read(o);
                string? Get(string key) => PropertyBag.Find(names, values, key);
                string? own = Get("EntityType")?.Trim().ToUpperInvariant();
                // An object's own entity is never replaced by -EntityType without a word: the two disagreeing stops the cmdlet.
                if (!string.IsNullOrEmpty(own) && EntityType.Length > 0 && own != EntityType)
                    ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                        $"Nothing was sent: attribute '{Get("Name")}' has EntityType {own}, and -EntityType says {EntityType}. Leave -EntityType out, or the property."),
                        "InvalidAttribute", ErrorCategory.InvalidArgument, o));
                _wanted.Add(new MetricaAttribute
                {
                    CounterId = CounterId,
                    EntityType = string.IsNullOrEmpty(own) ? EntityType : own!,
                    Name = (Get("Name") ?? "").Trim(),
                    TypeName = (Get("TypeName") ?? "text").Trim().ToLowerInvariant(),
                    Multivalued = Get("Multivalued") is string m && (m == "1" || m.Equals("true", StringComparison.OrdinalIgnoreCase)),
                    Humanized = Get("Humanized")?.Trim(),
                });
            }
        }

        protected override void EndProcessing()
        {
            var problems = AttributeSchema.Validate(_wanted);
            if (problems.Count > 0)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Nothing was sent: " + string.Join("; ", problems) + "."),
                    "InvalidAttribute", ErrorCategory.InvalidArgument, _wanted));
            try
            {
                var current = Call((client, ct) => client.GetAttributesAsync(CounterId, null, ct));
                var changes = AttributeSchema.Diff(current, _wanted);
                foreach (var conflict in changes.Where(c => c.Change == SchemaChangeKind.Update))
                    WriteError(new ErrorRecord(new InvalidOperationException(
                        $"Not sent: {conflict}. Metrica documents no way to change an existing attribute; use another name."),
                        "AttributeExists", ErrorCategory.ResourceExists, conflict));
                foreach (var group in changes.Where(c => c.Change == SchemaChangeKind.Add).GroupBy(c => c.EntityType))
                {
                    var toSend = group.Select(c => c.After).ToList();
                    if (ShouldProcess(Force, $"{group.Key} attributes of Metrica counter {CounterId}", string.Join("; ", group)))
                    {
                        Call(async (client, ct) => { await client.CreateAttributesAsync(CounterId, group.Key, toSend, ct).ConfigureAwait(false); return true; });
                        foreach (var c in group) c.Applied = true;
                    }
                }
                foreach (var c in changes) WriteObject(c);
            }
            catch (MetricaApiException ex)
            {
                WriteError(ApiError(ex, CounterId));
            }
        }
    }
}
