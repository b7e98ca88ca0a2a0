using System;
using System.Collections.Generic;
using System.Linq;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// Decides, from the journal's batches and the counter's listed uploads alone (no journal writes, no requests, the
    /// time given), what became of batches whose outcome is unknown. The journal's batches of the kind, in the order they
    /// were sent, and the listed uploads, oldest first, are walked together: uploads the journal already knows are
    /// anchors, and the unknown batches between two anchors can only be the unlisted uploads between them. None there:
    /// none was applied. Otherwise each unlisted upload is placed by its time: the anchors tell how far Metrica's clock is
    /// from this machine's, and an upload must fall in the time one batch was being sent (any batch of the gap, since a
    /// kept SAVE batch may also have been applied) with that batch's element count. Anything that does not fit exactly
    /// one way leaves those batches unsettled for a person to decide.
    /// </summary>
    public sealed class UploadReconciler
    {
        private readonly TimeSpan _listingGrace;
        private readonly TimeSpan _clockSkew;

        /// <param name="listingGrace">How long after a batch started a missing upload still may be listed later.</param>
        /// <param name="clockSkew">How far Metrica's clock may be from this machine's, before any anchor narrows it.</param>
        public UploadReconciler(TimeSpan listingGrace, TimeSpan clockSkew)
        {
            _listingGrace = listingGrace;
            _clockSkew = clockSkew;
        }

        /// <param name="unknown">The batches to settle (Unknown or Pending), all of one kind and request.</param>
        /// <param name="journalOrder">The journal's batches of that kind sent since the listing's start, in the order sent.</param>
        /// <param name="otherKinds">The counter's batches of the other kinds whose uploads the same listing holds.</param>
        /// <param name="listed">The counter's uploads of the request's listing since then, as Metrica lists them (newest first).</param>
        /// <param name="kindName">The request's kind, to leave out uploads Metrica marks as another kind's.</param>
        /// <param name="knownUpload">Whether the journal knows an upload id as some batch's.</param>
        /// <param name="nowUtc">This machine's time now.</param>
        public UploadReconciliation Reconcile(IReadOnlyList<JournalBatch> unknown, IReadOnlyList<JournalBatch> journalOrder, IReadOnlyList<JournalBatch> otherKinds,
            IReadOnlyList<MetricaUpload> listed, string kindName, Func<string, bool> knownUpload, DateTime nowUtc)
        {
            var result = new UploadReconciliation();
            // Oldest first; the listing is newest first, so reversing keeps the order of uploads made in the same second.
            var uploads = listed.Where(u => UploadRequest.MayBeOfKind(kindName, u)).Reverse()
                .Select((u, i) => (Upload: u, Order: i)).OrderBy(x => x.Upload.DateTime ?? DateTimeOffset.MaxValue).ThenBy(x => x.Order).Select(x => x.Upload).ToList();
            var position = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < uploads.Count; i++) position[uploads[i].UploadId] = i;
            // Whole-second times (Metrica's documented format) place an upload only within that second.
            var precision = uploads.Any(u => u.DateTime is { } d && d.UtcTicks % TimeSpan.TicksPerSecond != 0) ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromSeconds(1);
            var unknownIds = new HashSet<long>(unknown.Select(b => b.Id));
            // Every upload the journal knows narrows how far Metrica's clock is from this machine's (taken as constant
            // over the listing): each was made while its batch was being sent.
            var anchors = journalOrder.Where(b => b.UploadId != null && position.ContainsKey(b.UploadId)).Select(b => (b, position[b.UploadId!])).ToList();
            var offset = Gap.Offset(uploads, anchors, precision, _clockSkew);
            var context = new Context(uploads, precision, offset, otherKinds, unknownIds, knownUpload, nowUtc, result);
            var gap = new Gap();
            foreach (var batch in journalOrder)
            {
                if (batch.UploadId == null || !position.TryGetValue(batch.UploadId, out int anchor))
                {
                    gap.Batches.Add(batch);
                    continue;
                }
                gap.After = anchor;
                gap.AnchorAfter = batch;
                Match(context, gap, laterListed: true);
                gap = new Gap { Before = anchor, AnchorBefore = batch };
            }
            gap.After = uploads.Count;
            Match(context, gap, laterListed: false);
            // A batch the walk never met (not in the journal's order) cannot be told apart from the others.
            foreach (var batch in unknown.Where(b => !result.Decided(b.Id)))
                result.Leave(batch, "it is not among the journal's batches sent since its start, so whether it was applied cannot be told");
            return result;
        }

        /// <summary>What every gap of one reconciliation shares.</summary>
        private sealed class Context
        {
            public Context(List<MetricaUpload> uploads, TimeSpan precision, (TimeSpan Low, TimeSpan High) offset, IReadOnlyList<JournalBatch> otherKinds,
                HashSet<long> unknownIds, Func<string, bool> knownUpload, DateTime nowUtc, UploadReconciliation result)
            {
                Uploads = uploads;
                Precision = precision;
                ClockOffset = offset;
                OtherKinds = otherKinds;
                UnknownIds = unknownIds;
                KnownUpload = knownUpload;
                NowUtc = nowUtc;
                Result = result;
            }

            public List<MetricaUpload> Uploads { get; }
            public TimeSpan Precision { get; }
            /// <summary>How far Metrica's clock may be ahead of this machine's, at least and at most.</summary>
            public (TimeSpan Low, TimeSpan High) ClockOffset { get; }
            /// <summary>The counter's batches of the other CDP kinds over the same time, whose uploads the listing also holds.</summary>
            public IReadOnlyList<JournalBatch> OtherKinds { get; }
            public HashSet<long> UnknownIds { get; }
            public Func<string, bool> KnownUpload { get; }
            public DateTime NowUtc { get; }
            public UploadReconciliation Result { get; }
        }

        /// <summary>The journal's batches between two listed uploads the journal knows (the anchors), and those uploads' positions.</summary>
        private sealed class Gap
        {
            public List<JournalBatch> Batches { get; } = new List<JournalBatch>();
            public int Before { get; set; } = -1;
            public int After { get; set; }
            public JournalBatch? AnchorBefore { get; set; }
            public JournalBatch? AnchorAfter { get; set; }

            /// <summary>
            /// How far Metrica's clock may be ahead of this machine's: each known upload was made while its batch was being
            /// sent, so the offset lies between its listed time minus the batch's end and minus its start (plus the
            /// listing's precision). Contradicting anchors give an empty range (low above high).
            /// </summary>
            public static (TimeSpan Low, TimeSpan High) Offset(List<MetricaUpload> uploads, IEnumerable<(JournalBatch Batch, int Index)> anchors, TimeSpan precision, TimeSpan skew)
            {
                TimeSpan low = -skew, high = skew;
                foreach (var (batch, index) in anchors)
                {
                    if (batch.CompletedUtc is not DateTime completed || uploads[index].DateTime is not DateTimeOffset listed) continue;
                    var at = listed.UtcDateTime;
                    if (at - completed > low) low = at - completed;
                    if (at + precision - batch.StartedUtc < high) high = at + precision - batch.StartedUtc;
                }
                return (low, high);
            }
        }

        private void Match(Context context, Gap gap, bool laterListed)
        {
            var run = gap.Batches.Where(b => context.UnknownIds.Contains(b.Id)).ToList();
            if (run.Count == 0) return;
            var result = context.Result;
            if (gap.After <= gap.Before)
            {
                // The listing orders two known uploads otherwise than they were sent (same second): no gap to read.
                foreach (var batch in run) result.Leave(batch, "Metrica lists the uploads around it in another order than they were sent, so whether it was applied cannot be told");
                return;
            }
            var candidates = new List<MetricaUpload>();
            for (int i = gap.Before + 1; i < gap.After; i++)
                if (!context.KnownUpload(context.Uploads[i].UploadId)) candidates.Add(context.Uploads[i]);
            var (found, why) = candidates.Count == 0 ? (new Dictionary<long, MetricaUpload>(), null) : Place(context, gap, candidates);
            if (found == null)
            {
                // Sending a replay-safe batch again is harmless whether or not it was applied; any other waits for a person.
                foreach (var batch in run)
                {
                    if (batch.ReplaySafe) result.SendAgain.Add(batch);
                    else result.Leave(batch, $"whether Metrica applied it cannot be told from its uploads: {why}; " +
                        "check the counter's uploads, then send the batch again or discard it");
                }
                return;
            }
            foreach (var batch in run)
            {
                if (found.TryGetValue(batch.Id, out var upload)) { result.Found.Add(new ReconciledUpload(batch, upload)); continue; }
                bool listingComplete = laterListed || context.NowUtc - batch.StartedUtc >= _listingGrace;
                if (batch.ReplaySafe || listingComplete) result.SendAgain.Add(batch);
                else result.Leave(batch, $"Metrica does not list it yet; resume after {batch.StartedUtc + _listingGrace:HH:mm:ss} UTC, when a missing upload means it was not applied");
            }
        }

        /// <summary>
        /// Which batch of the gap each unlisted upload is, by time: null (and why) unless every upload falls in the
        /// sending time of exactly one batch, no batch gets two, and an unknown batch's upload has its element count.
        /// </summary>
        private static (Dictionary<long, MetricaUpload>? Placed, string? Why) Place(Context context, Gap gap, List<MetricaUpload> candidates)
        {
            var (low, high) = context.ClockOffset;
            if (low > high) return (null, "the listed times of the uploads around it contradict the times they were sent");
            var placed = new Dictionary<long, MetricaUpload>();
            foreach (var upload in candidates)
            {
                if (upload.DateTime is not DateTimeOffset listed) return (null, $"upload {upload.UploadId} has no time");
                // The local time the upload was made lies in [listed - high, listed + precision - low].
                var from = listed.UtcDateTime - high;
                var to = listed.UtcDateTime + context.Precision - low;
                // The anchors' own windows count too: an attempt of theirs that was applied before a retry is explained by them.
                // Only a replay-safe batch is retried after an answer was lost; a non-replay-safe anchor's upload is the one
                // listed, so its window explains no other (without this, Metrica's whole-second times put an upload made
                // between two quick APPEND batches in three windows).
                var fits = gap.Batches.Concat(new[] { gap.AnchorBefore, gap.AnchorAfter }.Where(a => a is { ReplaySafe: true }).Select(a => a!))
                    .Where(b => b.StartedUtc <= to && (b.CompletedUtc ?? DateTime.MaxValue) >= from).ToList();
                string at = $"upload {upload.UploadId} ({Count(upload)} elements, made between {from:HH:mm:ss.fff} and {to:HH:mm:ss.fff} UTC by this machine's clock)";
                if (fits.Count == 0 && context.OtherKinds.Any(b => b.StartedUtc <= to && (b.CompletedUtc ?? DateTime.MaxValue) >= from)) continue;
                if (fits.Count != 1) return (null, $"{at} falls in the sending time of {fits.Count} batches ({string.Join(", ", fits.Select(f => f.Id))})");
                if (placed.ContainsKey(fits[0].Id)) return (null, $"{at} and another both fall in batch {fits[0].Id}'s sending time");
                if (Count(upload) != fits[0].Rows) return (null, $"{at} falls in batch {fits[0].Id}'s sending time, which had {fits[0].Rows} records");
                placed[fits[0].Id] = upload;
            }
            return (placed, null);
        }

        private static long? Count(MetricaUpload upload) => upload.ElementsCount ?? upload.SourceQuantity ?? upload.LineQuantity;
    }
}
