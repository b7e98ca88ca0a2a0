namespace MetricaCrm.Engine.Ingest
{
    /// <summary>
    /// An optional value Metrica cannot take (a birth date before 1970), left out of a record that is kept: one bad
    /// optional value must not throw away the record's phones and e-mails. Reported as a warning, never silently.
    /// </summary>
    public sealed class DroppedValue
    {
        public DroppedValue(string source, long line, RowFault fault)
        {
            Source = source;
            Line = line;
            Fault = fault;
        }

        /// <summary>The file path, or a description such as "pipeline object".</summary>
        public string Source { get; }
        /// <summary>1-based line of the file where the record starts; for pipeline objects, the object's number.</summary>
        public long Line { get; }
        /// <summary>The column, the value and why Metrica cannot take it (its Rule names the check: DateBefore1970...).</summary>
        public RowFault Fault { get; }

        public string Message =>
            $"{Source}, line {Line}: column '{Fault.Column}', value {Fault.ShownValue} left out, the record kept without it: Metrica takes {Fault.Expected} [{Fault.Rule}]";

        public override string ToString() => Message;
    }
}
