using System;
using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>One broken rule in one input row: where it is, what was there, and what was expected.</summary>
    public sealed class RowFault
    {
        public RowFault(string rule, string column, string? value, string expected)
            : this(rule, column, value, expected, null) { }

        /// <param name="valueLength">The value's length in the input when <paramref name="value"/> is only its start (a cut cell).</param>
        public RowFault(string rule, string column, string? value, string expected, long? valueLength)
        {
            Rule = rule;
            Column = column;
            Value = value;
            Expected = expected;
            ValueLength = valueLength;
        }

        /// <summary>A stable rule name, used as the PowerShell ErrorId (InvalidPhone, InvalidDateTime...).</summary>
        public string Rule { get; }
        public string Column { get; }
        public string? Value { get; }
        public string Expected { get; }
        /// <summary>The value's length in the input when <see cref="Value"/> holds only its start; else null.</summary>
        public long? ValueLength { get; }

        /// <summary>The value as a message shows it: a long one cut, with its length.</summary>
        public string ShownValue => ValueText.Quoted(Value, ValueLength);

        public override string ToString() => $"column '{Column}', value {ShownValue}: {Expected} [{Rule}]";
    }

    /// <summary>A rejected input row with its location and every rule it broke.</summary>
    public sealed class RowRejection
    {
        public RowRejection(string source, long line, IReadOnlyList<RowFault> faults, IReadOnlyDictionary<string, string?>? rawValues = null)
        {
            Source = source;
            Line = line;
            Faults = faults;
            RawValues = rawValues ?? new Dictionary<string, string?>();
        }

        /// <summary>The file path, or a description such as "pipeline object #12".</summary>
        public string Source { get; }
        /// <summary>1-based line of the file where the record starts; for pipeline objects, the object's number.</summary>
        public long Line { get; }
        public IReadOnlyList<RowFault> Faults { get; }
        /// <summary>The row's values by source column, for the reject file.</summary>
        public IReadOnlyDictionary<string, string?> RawValues { get; }
        public string Rule => Faults.Count > 0 ? Faults[0].Rule : "Rejected";

        public string Message =>
            $"{Source}, line {Line}: " + string.Join("; ", Faults.Select(f => f.ToString()));

        public override string ToString() => Message;
    }

    /// <summary>Thrown for problems that stop a whole input before any row is emitted (missing or ambiguous columns, bad encoding).</summary>
    public sealed class CrmInputException : Exception
    {
        public CrmInputException(string errorId, string message, Exception? inner = null) : base(message, inner)
        {
            ErrorId = errorId;
        }

        public string ErrorId { get; }
    }
}
