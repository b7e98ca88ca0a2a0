using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Commands
{
    /// <summary>
    /// Sends the counter's product catalogue (schema/products): the names orders use in their products. Names are
    /// checked before any request (1-255 letters, digits, '_', '-' or ':'; at most 160,000 items).
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "MetricaProduct", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(MetricaProduct))]
    public sealed class SetMetricaProductCommand : MetricaApiCmdlet
    {
        public const int MaxItems = 160_000;

        /// <summary>Absent: the counter of Connect-Metrica.</summary>
        [Parameter]
        [ValidateRange(1, long.MaxValue)]
        public long CounterId { get => CounterIdValue; set => CounterIdValue = value; }

        /// <summary>Products: names, or objects with Name (or Product, Sku) and an optional Humanized display name.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, Position = 0)]
        public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

        /// <summary>Skips the confirmation prompt (ConfirmImpact is High), for unattended runs.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private readonly List<MetricaProduct> _products = new List<MetricaProduct>();

        protected override void ProcessRecord()
        {
            foreach (var o in InputObject)
            {
                if (o.BaseObject is string name)
                {
                    _products.Add(new MetricaProduct { Name = name.Trim() });
                    continue;
                }
                var (names, values) = PropertyBag.Read(o);
                string? Get(params string[] keys) => PropertyBag.Find(names, values, keys);
                _products.Add(new MetricaProduct { Name = (Get("Name", "Product", "Sku") ?? "").Trim(), Humanized = Get("Humanized", "Title", "DisplayName")?.Trim() });
            }
        }

        protected override void EndProcessing()
        {
            var problems = _products.Where(p => !AttributeNames.IsValid(p.Name)).Select(p => $"'{p.Name}'").Take(10).ToList();
            if (problems.Count > 0)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"Nothing was sent: product names must be 1-255 letters, digits, '_', '-' or ':'; these are not: {string.Join(", ", problems)}."),
                    "InvalidProduct", ErrorCategory.InvalidArgument, problems));
            if (_products.Count > MaxItems)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"Nothing was sent: Metrica takes at most {MaxItems:N0} products, not {_products.Count:N0}."),
                    "TooManyProducts", ErrorCategory.LimitsExceeded, _products.Count));
            if (_products.Count == 0) return;
            if (!ShouldProcess(Force, $"product catalogue of Metrica counter {CounterId}", $"Send {_products.Count} product(s)")) return;
            try
            {
                Call(async (client, ct) => { await client.SetProductsAsync(CounterId, _products, ct).ConfigureAwait(false); return true; });
                foreach (var p in _products) WriteObject(p);
            }
            catch (MetricaApiException ex)
            {
                WriteError(ApiError(ex, CounterId));
            }
        }
    }
}
