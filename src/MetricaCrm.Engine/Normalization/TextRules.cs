using MetricaCrm.Engine.Ingest;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>
    /// Bounds for text sent to Metrica. Metrica documents none for ids or names; one bad value can fail a whole
    /// 250,000-row upload, so values outside these bounds are refused for their row only (stated in docs/reading-exports.md):
    /// identifiers (id, uniq_id, client_uniq_id, company_uniq_id) at most 255 characters with no control characters;
    /// other text (names, comments, statuses, attribute values) at most 4,096 characters (Metrica's bound for
    /// humanized names) with no control characters except tab and line breaks.
    /// </summary>
    public static class TextRules
    {
        public const int MaxIdentifierLength = 255;
        public const int MaxTextLength = 4096;

        public static RowFault? CheckIdentifier(string column, string? value) => Check(column, value, MaxIdentifierLength, allowLineBreaks: false);

        public static RowFault? CheckText(string column, string? value) => Check(column, value, MaxTextLength, allowLineBreaks: true);

        private static RowFault? Check(string column, string? value, int maxLength, bool allowLineBreaks)
        {
            if (value == null) return null;
            if (value.Length > maxLength)
                return new RowFault("TextTooLong", column, Shorten(value), $"at most {maxLength} characters, not {value.Length}");
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c < ' ' && !(allowLineBreaks && (c == '\t' || c == '\n' || c == '\r')) || c == '\u007F')
                    return new RowFault("ControlCharacter", column, Shorten(value), $"text without control characters (U+{(int)c:X4} at position {i + 1})");
            }
            return null;
        }

        private static string Shorten(string s) => s.Length <= 100 ? s.Replace("\0", "\\0") : s.Substring(0, 100).Replace("\0", "\\0") + "...";
    }
}
