using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// The uploads of a send (<see cref="UploadSummary.UploadResults"/>), live. Its text is the upload ids comma-joined:
    /// Export-Csv writes a value's ToString(), which for a plain list is its type name.
    /// </summary>
    public sealed class UploadResultList : ReadOnlyCollection<MetricaUpload>
    {
        internal UploadResultList(IList<MetricaUpload> uploads) : base(uploads) { }

        public override string ToString() => string.Join(",", this.Select(u => u.UploadId));
    }
}
