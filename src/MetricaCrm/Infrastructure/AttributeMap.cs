using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// A record's custom attributes as PowerShell shows them: the record's own dictionary, live and writable
    /// (<c>$order.Attributes['branch'] = 'north'</c>), whose text is <c>name=value;name=value</c> instead of the
    /// dictionary's type name in Export-Csv. ConvertTo-Json still writes it as an object.
    /// </summary>
    public sealed class AttributeMap : IDictionary
    {
        private readonly Dictionary<string, string> _values;

        public AttributeMap(Dictionary<string, string> values) => _values = values;

        public object? this[object key]
        {
            get => _values.TryGetValue(Key(key), out var v) ? v : null;
            set => _values[Key(key)] = Value(value);
        }

        public ICollection Keys => _values.Keys;
        public ICollection Values => _values.Values;
        public int Count => _values.Count;
        public bool IsReadOnly => false;
        public bool IsFixedSize => false;
        public bool IsSynchronized => false;
        public object SyncRoot => ((ICollection)_values).SyncRoot;

        public void Add(object key, object? value) => _values.Add(Key(key), Value(value));
        public void Clear() => _values.Clear();
        public bool Contains(object key) => key != null && _values.ContainsKey(Key(key));
        public void Remove(object key) => _values.Remove(Key(key));
        public void CopyTo(Array array, int index) => ((ICollection)_values).CopyTo(array, index);
        public IDictionaryEnumerator GetEnumerator() => ((IDictionary)_values).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => string.Join(";", _values.Select(p => p.Key + "=" + p.Value));

        private static string Key(object key) => Convert.ToString(key, CultureInfo.InvariantCulture) ?? throw new ArgumentNullException(nameof(key));

        private static string Value(object? value) => PropertyBag.Text(value) ?? "";
    }
}
