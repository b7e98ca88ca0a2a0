namespace MetricaCrm.Engine.Ingest
{
    /// <summary>How a CSV file writes a quote inside a quoted value.</summary>
    public enum QuoteEscape
    {
        /// <summary>RFC 4180 and Excel: doubled, "ООО ""Ромашка""".</summary>
        Doubled,
        /// <summary>
        /// A backslash before it, "ООО \"Ромашка\"" (PHP loaders such as Bitrix24's, MySQL's SELECT INTO OUTFILE); \\ is
        /// one backslash, and a backslash before anything else is itself (C:\Temp stays C:\Temp).
        /// </summary>
        Backslash,
    }
}
