namespace MetricaCrm.Engine.Upload
{
    /// <summary>What the upload journal said of a record written into a batch, for the batch's confirmation text.</summary>
    public enum RecordComparison
    {
        /// <summary>Not looked up: no journal, or a kind it keeps no record of.</summary>
        Uncompared,
        /// <summary>The journal never saw it accepted.</summary>
        New,
        /// <summary>The journal saw it accepted with other values.</summary>
        Changed,
        /// <summary>The journal saw it accepted with these values (sent again by -Force).</summary>
        Same,
    }
}
