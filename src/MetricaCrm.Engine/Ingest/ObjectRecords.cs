using System;
using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>
    /// Normalises records that arrive as property names and values (pipeline objects), binding each distinct
    /// set of names once. A set that lacks a required field rejects that object only; the others keep flowing.
    /// </summary>
    public sealed class ObjectRecords<T> where T : class
    {
        private readonly RecordNormalizer<T> _normalizer;
        private readonly IDictionary<string, string>? _columnMap;
        private readonly IDictionary<string, string?>? _constants;
        private readonly Dictionary<string, ColumnBinding> _bindings = new Dictionary<string, ColumnBinding>(StringComparer.Ordinal);
        private readonly Dictionary<string, CrmInputException> _failures = new Dictionary<string, CrmInputException>(StringComparer.Ordinal);

        private readonly List<string> _notes = new List<string>();

        /// <summary>How ambiguous properties were read, for verbose output; the caller takes them.</summary>
        public List<string> Notes => _notes;

        public ObjectRecords(RecordNormalizer<T> normalizer, IDictionary<string, string>? columnMap = null, IDictionary<string, string?>? constants = null)
        {
            _normalizer = normalizer;
            _columnMap = columnMap;
            _constants = constants;
        }

        /// <param name="objectFaults">What could not be read off the object (a property that threw): such an object
        /// is rejected with them, since a record read without those values is not the record the user has.</param>
        public ImportItem<T> Normalize(IReadOnlyList<string> names, IReadOnlyList<string?> values, string source, long number,
            IReadOnlyList<RowFault>? objectFaults = null)
        {
            if (objectFaults is { Count: > 0 })
                return new ImportItem<T>(null, new RowRejection(source, number, objectFaults, Raw(names, values)), null);
            string key = string.Join("\u0001", names);
            if (!_bindings.TryGetValue(key, out var binding))
            {
                if (!_failures.TryGetValue(key, out var failure))
                {
                    try
                    {
                        // The first object of this shape decides how an ambiguous "Client ID" property is read.
                        binding = ColumnBinding.Create(_normalizer.Schema, names, _columnMap, _constants, source,
                            column => values[column] is string v ? new[] { v } : Array.Empty<string>());
                        foreach (var note in binding.Notes) _notes.Add(note);
                        _bindings[key] = binding;
                    }
                    catch (CrmInputException ex)
                    {
                        _failures[key] = failure = ex;
                    }
                }
                if (binding == null)
                {
                    var fault = new RowFault(failure!.ErrorId, "(object)", string.Join(", ", names), failure.Message);
                    return new ImportItem<T>(null, new RowRejection(source, number, new[] { fault }, Raw(names, values)), null);
                }
            }
            var projected = binding.Project(i => values[i]);
            return _normalizer.Normalize(binding, projected, source, number, () => Raw(names, values));
        }

        private static IReadOnlyDictionary<string, string?> Raw(IReadOnlyList<string> names, IReadOnlyList<string?> values)
        {
            var raw = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (int i = 0; i < names.Count; i++) raw[names[i]] = values[i];
            return raw;
        }
    }
}
