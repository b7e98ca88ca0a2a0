using System;
using System.Collections.Generic;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>How a detailed CRM upload carries its records: a CSV file, or JSON inside the request (fact sheet §3.1).</summary>
    public enum UploadFormat { Csv, Json }

    /// <summary>An attribute a record carries that the counter does not have for that entity: nothing can be sent until it exists.</summary>
    public sealed class UnknownAttributeException : Exception
    {
        public UnknownAttributeException(string entityType, IReadOnlyCollection<string> names, IReadOnlyCollection<string> known)
            : base($"The counter has no {entityType} attribute {string.Join(", ", Quote(names))}; records carrying it cannot be uploaded. " +
                   $"Its {entityType} attributes: {(known.Count == 0 ? "(none)" : string.Join(", ", known))}.")
        {
            EntityType = entityType;
            Names = names;
        }

        public string EntityType { get; }
        public IReadOnlyCollection<string> Names { get; }

        private static IEnumerable<string> Quote(IEnumerable<string> names)
        {
            foreach (var n in names) yield return "'" + n + "'";
        }
    }

    /// <summary>Checks that every attribute a record carries exists for the entity; each new set of names is checked once.</summary>
    public sealed class AttributeCheck
    {
        private readonly string _entityType;
        private readonly ISet<string>? _known;
        private readonly HashSet<string> _checked = new HashSet<string>(StringComparer.Ordinal);

        /// <param name="known">The counter's attribute names for the entity; null when they were not read (nothing is sent then).</param>
        public AttributeCheck(string entityType, ISet<string>? known)
        {
            _entityType = entityType;
            _known = known;
        }

        public void Check(IReadOnlyDictionary<string, string> attributes)
        {
            if (_known == null || attributes.Count == 0) return;
            List<string>? missing = null;
            foreach (var name in attributes.Keys)
                if (_checked.Add(name) && !_known.Contains(name)) (missing ??= new List<string>()).Add(name);
            if (missing != null) throw new UnknownAttributeException(_entityType, missing, new List<string>(_known));
        }
    }
}
