namespace MetricaCrm.Engine.Normalization
{
    /// <summary>Which part of a d/m/y or m/d/y date (04/12/2026) is the day.</summary>
    public enum SlashDateOrder
    {
        /// <summary>No value says: every day and month is 12 or less.</summary>
        Unsettled,
        /// <summary>dd/MM/yyyy (en-GB, fr-FR, Bitrix24's non-US portals).</summary>
        DayFirst,
        /// <summary>MM/dd/yyyy (en-US).</summary>
        MonthFirst,
        /// <summary>Values of both orders: 13/04/2026 and 04/13/2026.</summary>
        Contradictory,
    }
}
