using System;
using System.Collections.Generic;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>Splits a cell that holds several values (phones, e-mails, ClientIDs).</summary>
    public static class MultiValue
    {
        private static readonly char[] Separators = { ',', ';', '|', '\n', '\r' };

        public static List<string> Split(string cell)
        {
            var parts = new List<string>(1);
            foreach (var part in cell.Split(Separators, StringSplitOptions.RemoveEmptyEntries))
            {
                var trimmed = part.Trim();
                if (trimmed.Length > 0) parts.Add(trimmed);
            }
            return parts;
        }
    }
}
