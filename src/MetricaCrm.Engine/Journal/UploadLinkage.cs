using System;

namespace MetricaCrm.Engine.Journal
{
    /// <summary>An offline upload's final quantities as Metrica reported them (PROCESSED or LINKAGE_FAILURE).</summary>
    public sealed class UploadLinkage
    {
        public UploadLinkage(string uploadId, long sourceQuantity, long linkedQuantity, long? staticCallsQuantity, DateTime sentUtc)
        {
            UploadId = uploadId;
            SourceQuantity = sourceQuantity;
            LinkedQuantity = linkedQuantity;
            StaticCallsQuantity = staticCallsQuantity;
            SentUtc = sentUtc;
        }

        public string UploadId { get; }
        /// <summary>Rows in the file.</summary>
        public long SourceQuantity { get; }
        /// <summary>Rows linked to a visitor.</summary>
        public long LinkedQuantity { get; }
        /// <summary>Calls only: static calls, which never link to a session.</summary>
        public long? StaticCallsQuantity { get; }
        public DateTime SentUtc { get; }

        /// <summary>Rows that could link: static calls never do, so they are not counted against the share.</summary>
        public long LinkableRows => Math.Max(0, SourceQuantity - (StaticCallsQuantity ?? 0));
    }
}
