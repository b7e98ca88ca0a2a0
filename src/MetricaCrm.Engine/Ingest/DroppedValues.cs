using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>
    /// Bad values left out of a record that was kept (one bad phone beside a good e-mail): where they were, what
    /// they were and why each was dropped. The record is one emitted record; this is one warning beside it.
    /// </summary>
    public sealed class DroppedValues
    {
        public DroppedValues(string source, long line, IReadOnlyList<RowFault> faults)
        {
            Source = source;
            Line = line;
            Faults = faults;
        }

        /// <summary>The file path, or a description such as "pipeline object".</summary>
        public string Source { get; }
        /// <summary>1-based line of the file where the record starts; for pipeline objects, the object's number.</summary>
        public long Line { get; }
        public IReadOnlyList<RowFault> Faults { get; }

        public string Message =>
            $"{Source}, line {Line}: left out {string.Join("; ", Faults.Select(f => f.ToString()))}; the record is kept without {(Faults.Count == 1 ? "it" : "them")}";

        public override string ToString() => Message;
    }
}
