using System.Collections.Generic;
using System.Globalization;
using System.Text;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// What happened to every record a send received. The counts always add up:
    /// <c>Received = Sent + Unchanged + Rejected + Skipped + Failed + Pending + NotSent</c>.
    /// </summary>
    public sealed class UploadSummary
    {
        public UploadSummary(string label)
        {
            Label = label;
            UploadResults = new UploadResultList(_uploadResults);
        }

        /// <summary>Who is reporting (the command or job), shown first in the text form.</summary>
        public string Label { get; }
        /// <summary>Records that reached the send, valid or not.</summary>
        public long Received { get; internal set; }
        /// <summary>Records in uploads Metrica accepted (HTTP 200 and validation PASSED).</summary>
        public long Sent { get; internal set; }
        /// <summary>Records not sent because Metrica already accepted exactly these values (the upload journal says so).</summary>
        public long Unchanged { get; internal set; }
        /// <summary>Records not uploaded because they break a rule; each was reported with its reason.</summary>
        public long Rejected { get; internal set; }
        /// <summary>Records in uploads that failed: refused by Metrica, validation FAILED, or not sent after an earlier refusal.</summary>
        public long Failed { get; internal set; }
        /// <summary>Records in uploads kept in the upload journal to be settled later (not sent for a quota, a passing failure, or an unknown outcome).</summary>
        public long Pending { get; internal set; }
        /// <summary>Valid records left out on purpose by a rule the caller chose (a maximum age...); each was reported.</summary>
        public long Skipped { get; internal set; }
        /// <summary>Records deliberately not sent: the upload was declined at a confirmation prompt or -WhatIf was used.</summary>
        public long NotSent { get; internal set; }
        /// <summary>
        /// Of the records that went (or, declined or under -WhatIf, would have gone) into an upload, those the upload
        /// journal never saw accepted. Not a term of the sum above: it says why records were sent, not what became of them.
        /// </summary>
        public long New { get; internal set; }
        /// <summary>Of the same records, those the upload journal saw accepted with other values. Records sent again with
        /// the same values (-Force) and records of a send without a journal are neither new nor changed.</summary>
        public long Changed { get; internal set; }
        /// <summary>Uploads Metrica accepted.</summary>
        public int Uploads { get; internal set; }
        /// <summary>Each upload of this send as the Send cmdlet reported it (after -Wait, its final status), accepted or
        /// failed, in order: what a Send writes to the output without -PassThru, and what -PassThru carries here instead.</summary>
        public UploadResultList UploadResults { get; }

        private readonly List<MetricaUpload> _uploadResults = new List<MetricaUpload>();

        /// <summary>Adds an upload as it is reported to the caller (see <see cref="UploadResults"/>).</summary>
        public void AddUploadResult(MetricaUpload upload) => _uploadResults.Add(upload);
        /// <summary>The linked share of the uploads and its trailing average (offline conversions and calls); null before the send ends.</summary>
        public LinkedShare? Linkage { get; set; }

        /// <summary>Counts records that reached a send which could not start (its budget was spent before it asked
        /// anything): received, and not sent.</summary>
        public void AddNotSent(long records)
        {
            Received += records;
            NotSent += records;
        }

        public bool Reconciles => Received == Sent + Unchanged + Rejected + Skipped + Failed + Pending + NotSent;

        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.Append(Label).Append(": received ").Append(N(Received)).Append(", uploaded ").Append(N(Sent)).Append(", rejected ").Append(N(Rejected));
            if (Unchanged > 0) sb.Append(", unchanged ").Append(N(Unchanged));
            if (Skipped > 0) sb.Append(", skipped ").Append(N(Skipped));
            if (Failed > 0) sb.Append(", failed uploads ").Append(N(Failed));
            if (Pending > 0) sb.Append(", kept for resume ").Append(N(Pending));
            if (NotSent > 0) sb.Append(", not sent (declined or -WhatIf) ").Append(N(NotSent));
            if (New + Changed + Unchanged > 0)
                sb.Append("; against the upload journal: new ").Append(N(New)).Append(", changed ").Append(N(Changed)).Append(", unchanged ").Append(N(Unchanged));
            // CRM uploads have no linkage to show; their Linkage says so, and their text stays as it was.
            if (Linkage is { KindReportsLinkage: true }) sb.Append("; ").Append(Linkage);
            return sb.ToString();
        }

        private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
    }
}
