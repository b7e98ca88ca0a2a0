namespace MetricaCrm.Engine.Ingest
{
    /// <summary>
    /// What each kind needs to link a record, in the words of its NoIdentifier error. The normalisers apply it as a
    /// row is read (<see cref="FieldReader.SettleIdentifiers"/>: bad identifiers beside good ones are dropped with a
    /// warning); the kinds check it again before a send, for records that were built in code rather than read.
    /// </summary>
    public static class IdentifierRule
    {
        public const string NoIdentifier = "NoIdentifier";
        public const string SimpleOrder = "at least one ClientID, phone or e-mail (or their MD5): Metrica cannot match a simplified order without one";
        public const string Order = "at least one ClientID, phone or e-mail (or their MD5), or the CRM client id: Metrica cannot match an order without one";
        public const string Conversion = "a ClientId, UserId, Yclid or PurchaseId: Metrica cannot link a conversion without one";
        public const string Call = "a ClientId, UserId or Yclid: Metrica cannot link a call without one";

        /// <summary>The NoIdentifier fault of a record that has none of what <paramref name="expected"/> names.</summary>
        public static RowFault Missing(string column, string expected) => new RowFault(NoIdentifier, column, null, expected);
    }
}
