using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// A record's multi-valued field (phones, e-mails, ClientIDs, goals, products) as PowerShell shows it: the record's
    /// own list, live, whose text is the values comma-joined, the cell form Import-CrmOrder reads back. Export-Csv writes
    /// a value's ToString(), which for the engine's arrays was the type name System.String[].
    /// </summary>
    public sealed class ValueList<T> : Collection<T>
    {
        public ValueList(IList<T> items) : base(items) { }

        public override string ToString() => string.Join(",", this);
    }
}
