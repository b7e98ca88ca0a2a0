using System;
using System.Collections.Generic;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>Splits a cell that holds several values (phones, e-mails, ClientIDs).</summary>
    public static class MultiValue
    {
        private static readonly char[] Separators = { ',', ';', '|', '\n', '\r' };

        /// <summary>The trimmed value of a cell without separators (empty when blank); null when it holds several.</summary>
        public static string? Single(string cell) => cell.IndexOfAny(Separators) < 0 ? cell.Trim() : null;

        public static List<string> Split(string cell)
        {
            if (cell.IndexOfAny(Separators) < 0)
            {
                var single = cell.Trim(); // the usual case: one value, no split needed
                return single.Length > 0 ? new List<string>(1) { single } : new List<string>(0);
            }
            var parts = new List<string>(2);
            foreach (var part in cell.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
            {
                var trimmed = part.Trim();
                if (trimmed.Length > 0) parts.Add(trimmed);
            }
            return parts;
        }
    }
}
