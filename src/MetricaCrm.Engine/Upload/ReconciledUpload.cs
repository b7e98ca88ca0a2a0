using System;
using System.Collections.Generic;
using System.Linq;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>A batch of unknown outcome and the listed upload that is its.</summary>
    public sealed class ReconciledUpload
    {
        public ReconciledUpload(JournalBatch batch, MetricaUpload upload)
        {
            Batch = batch;
            Upload = upload;
        }

        public JournalBatch Batch { get; }
        public MetricaUpload Upload { get; }
    }
}
