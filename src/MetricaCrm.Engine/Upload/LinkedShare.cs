using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// The share of a send's rows Metrica linked to visitors, next to the share of the counter's last final uploads of
    /// the same kind: a job whose ClientIDs broke keeps uploading while Metrica links nothing, and only this says so.
    /// Only final quantities count (PROCESSED or LINKAGE_FAILURE); shares are of linkable rows (static calls never link),
    /// and the trailing average weighs uploads by their rows (the linked rows of the last uploads over their rows).
    /// </summary>
    public sealed class LinkedShare
    {
        /// <summary>How many earlier final uploads of the counter and kind the trailing average covers.</summary>
        public const int DefaultTrailingUploads = 7;

        private LinkedShare(bool kindReportsLinkage, string? note)
        {
            KindReportsLinkage = kindReportsLinkage;
            Note = note;
        }

        /// <summary>False for CRM (CDP) uploads: Metrica reports no linkage for them, so there is no share (not 0%).</summary>
        public bool KindReportsLinkage { get; }
        /// <summary>Final uploads of this send whose quantities count.</summary>
        public int FinalUploads { get; private set; }
        /// <summary>Uploads of this send that were not final (still processing): they have no quantities yet.</summary>
        public int UnfinishedUploads { get; private set; }
        public long? LinkableRows { get; private set; }
        public long? LinkedRows { get; private set; }
        /// <summary>This send's linked share in percent (one decimal); null when there is nothing final to measure (see <see cref="Note"/>).</summary>
        public double? Percent { get; private set; }
        /// <summary>The linked share of the earlier final uploads the average covers, in percent; null without any (or without a journal).</summary>
        public double? AveragePercent { get; private set; }
        /// <summary>How many earlier final uploads <see cref="AveragePercent"/> covers (at most <see cref="DefaultTrailingUploads"/>).</summary>
        public int AverageUploads { get; private set; }
        /// <summary>Why a share or average is missing, or what it leaves out; null when both are there.</summary>
        public string? Note { get; private set; }

        /// <summary>A kind whose uploads Metrica reports no linked quantities for.</summary>
        public static LinkedShare NotReportedFor(string kindName) =>
            new LinkedShare(false, $"Metrica reports no linked quantities for {kindName} uploads");

        /// <summary>An offline send whose uploads were not followed until final (no -Wait): their quantities are not known yet.</summary>
        public static LinkedShare NotFollowed(int uploads) =>
            new LinkedShare(true, uploads == 0 ? "no upload was made" : $"{uploads} upload(s) still processing; -Wait follows them until final")
            { UnfinishedUploads = uploads };

        /// <summary>
        /// Measures a send's uploads against the journal's last final uploads of the counter and kind, then keeps this
        /// send's final quantities in the journal for the next runs. Without a journal there is no average.
        /// </summary>
        public static LinkedShare OfSend(UploadJournal? journal, long counterId, JournalKind kind, IReadOnlyList<MetricaUpload> uploads,
            int trailingUploads = DefaultTrailingUploads)
        {
            var mine = new HashSet<string>(uploads.Select(u => u.UploadId), StringComparer.Ordinal);
            // Read before this send's own are kept; an upload of this send recorded before (a second wait) never averages with itself.
            var earlier = journal == null
                ? null
                : journal.RecentLinkage(counterId, kind, trailingUploads + mine.Count).Where(l => !mine.Contains(l.UploadId)).Take(trailingUploads).ToList();
            var finals = new List<UploadLinkage>();
            foreach (var upload in uploads)
            {
                if (!upload.IsFinal || upload.SourceQuantity == null || upload.LinkedQuantity == null) continue;
                journal?.RecordLinkage(counterId, kind, upload);
                finals.Add(new UploadLinkage(upload.UploadId, upload.SourceQuantity.Value, upload.LinkedQuantity.Value, upload.StaticCallsQuantity,
                    upload.DateTime?.UtcDateTime ?? default));
            }
            return Measure(finals, uploads.Count - finals.Count, earlier);
        }

        /// <summary>The share of <paramref name="finals"/> and the average of <paramref name="earlier"/> (null: no journal to read).</summary>
        public static LinkedShare Measure(IReadOnlyCollection<UploadLinkage> finals, int unfinished, IReadOnlyCollection<UploadLinkage>? earlier)
        {
            var share = new LinkedShare(true, null) { FinalUploads = finals.Count, UnfinishedUploads = unfinished };
            var notes = new List<string>();
            if (finals.Count > 0)
            {
                share.LinkableRows = finals.Sum(f => f.LinkableRows);
                // Capped at the linkable rows: a share above 100% would hide a low day in the average.
                share.LinkedRows = finals.Sum(f => Math.Min(f.LinkedQuantity, f.LinkableRows));
                share.Percent = PercentOf(share.LinkedRows.Value, share.LinkableRows.Value);
                if (share.Percent == null) notes.Add("no linkable rows (static calls never link)");
            }
            else notes.Add(unfinished == 0 ? "no upload was made" : "not known yet: no upload was final");
            if (unfinished > 0 && finals.Count > 0) notes.Add($"{unfinished} upload(s) not final yet are not counted");
            if (earlier == null) notes.Add("no average without the upload journal");
            else if (earlier.Count == 0) notes.Add("no earlier final uploads to average");
            else
            {
                share.AverageUploads = earlier.Count;
                share.AveragePercent = PercentOf(earlier.Sum(e => Math.Min(e.LinkedQuantity, e.LinkableRows)), earlier.Sum(e => e.LinkableRows));
            }
            share.Note = notes.Count == 0 ? null : string.Join("; ", notes);
            return share;
        }

        private static double? PercentOf(long linked, long rows) => rows > 0 ? Math.Round(100.0 * linked / rows, 1) : (double?)null;

        /// <summary>
        /// Why this share is too low, or null: below <paramref name="minPercent"/>, or a sharp drop, i.e. below
        /// <paramref name="sharpDropRatio"/> times the trailing average (0.5: less than half the usual share; 0: no such check).
        /// Nothing measured (not final, a kind without linkage) is never judged low: it is not known.
        /// </summary>
        public string? Problem(double minPercent, double sharpDropRatio)
        {
            if (minPercent < 0 || minPercent > 100) throw new ArgumentOutOfRangeException(nameof(minPercent), "The minimum linked share is a percentage from 0 to 100.");
            if (sharpDropRatio < 0 || sharpDropRatio > 1) throw new ArgumentOutOfRangeException(nameof(sharpDropRatio), "The sharp-drop ratio is a fraction of the average from 0 to 1.");
            if (Percent is not double percent) return null;
            if (percent < minPercent)
                return $"linked share {P(percent)} is below the minimum of {P(minPercent)}";
            if (sharpDropRatio > 0 && AveragePercent is double average && percent < sharpDropRatio * average)
                return $"linked share {P(percent)} dropped sharply: below {sharpDropRatio.ToString("0.##", CultureInfo.InvariantCulture)} of the average {P(average)} of the last {AverageUploads} final upload(s)";
            return null;
        }

        public override string ToString()
        {
            string text = Percent is double p
                ? $"linked {P(p)} ({LinkedRows} of {LinkableRows} rows)"
                : "linked share " + (KindReportsLinkage ? "unknown" : "not reported");
            if (AveragePercent is double a) text += $", average of the last {AverageUploads} final upload(s) {P(a)}";
            return Note == null ? text : text + " (" + Note + ")";
        }

        private static string P(double percent) => percent.ToString("0.0", CultureInfo.InvariantCulture) + "%";
    }
}
