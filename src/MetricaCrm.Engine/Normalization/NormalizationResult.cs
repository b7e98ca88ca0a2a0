namespace MetricaCrm.Engine.Normalization
{
    /// <summary>What one normaliser made of one value: the result, or why it could not (the "expected" text of a fault).</summary>
    public readonly struct Normalized<T>
    {
        private Normalized(T value, string? error, string? rule, string? note)
        {
            Value = value;
            Error = error;
            Rule = rule;
            Note = note;
        }

        public T Value { get; }
        /// <summary>What was expected, when the value was rejected.</summary>
        public string? Error { get; }
        /// <summary>The stable rule name of the rejection (InvalidPhone...).</summary>
        public string? Rule { get; }
        /// <summary>For -Explain: which rule changed the value, when one did.</summary>
        public string? Note { get; }
        public bool Ok => Error == null;

        public static Normalized<T> Success(T value, string? note = null) => new Normalized<T>(value, null, null, note);
        public static Normalized<T> Fail(string rule, string expected) => new Normalized<T>(default!, expected, rule, null);
    }
}
