using System;
using System.Collections.Generic;
using System.Linq;
using MetricaCrm.Engine.Journal;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>What <see cref="UploadReconciler"/> decided for each batch of unknown outcome: exactly one of the three.</summary>
    public sealed class UploadReconciliation
    {
        /// <summary>Batches whose upload Metrica lists: accepted (or failed) as that upload, not sent again.</summary>
        public List<ReconciledUpload> Found { get; } = new List<ReconciledUpload>();

        /// <summary>Batches found not applied, or replay-safe ones whose fate cannot be told: safe to send again.</summary>
        public List<JournalBatch> SendAgain { get; } = new List<JournalBatch>();

        /// <summary>Batches that stay unsettled, with why, for a person to decide.</summary>
        public List<(JournalBatch Batch, string Why)> Left { get; } = new List<(JournalBatch, string)>();

        internal void Leave(JournalBatch batch, string why) => Left.Add((batch, why));

        internal bool Decided(long batchId) =>
            Found.Any(f => f.Batch.Id == batchId) || SendAgain.Any(b => b.Id == batchId) || Left.Any(l => l.Batch.Id == batchId);
    }
}
