using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Upload
{
    public sealed class ResumeOptions
    {
        public long CounterId { get; set; }
        /// <summary>Only this kind's batches; null: every kind of the counter.</summary>
        public JournalKind? Kind { get; set; }
        /// <summary>Only these batches; null: every unsettled batch.</summary>
        public ISet<long>? BatchIds { get; set; }
        /// <summary>
        /// An upload whose outcome is unknown and which repeating is not safe (APPEND) is sent again when Metrica does not
        /// list it, but only once no later upload is listed and it began at least this long ago: until then the listing
        /// may simply not show it yet. How fast Metrica lists an upload is unconfirmed; 5 minutes is our margin.
        /// </summary>
        public TimeSpan ListingGrace { get; set; } = TimeSpan.FromMinutes(5);
        /// <summary>The batch folder of the send that settles its own kept batches: it holds the folder's lock already.</summary>
        public string? OwnFolder { get; set; }
        /// <summary>Gives the batches up instead of settling them: marked Failed, files deleted, nothing sent.</summary>
        public bool Discard { get; set; }
    }

    /// <summary>
    /// Settles the batches the journal keeps (Pending, Unknown, Deferred), oldest first. An upload of unknown outcome is
    /// first looked for in the counter's uploads; only one Metrica does not have is sent again, and one that repeating
    /// would harm (APPEND) only when the listing is known to be complete for it. A Deferred batch is sent again as first
    /// sent. A batch whose folder another running process owns is left alone.
    /// </summary>
    public sealed class BatchResume
    {
        /// <summary>How far Metrica's clock may be from this machine's when upload times are compared.</summary>
        private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

        private readonly UploadJournal _journal;
        private readonly IBatchHost _host;
        private readonly Func<MetricaClient> _client;
        private readonly ResumeOptions _options;
        private readonly CancellationToken _cancellation;
        private readonly Dictionary<string, BatchFolder?> _folders = new Dictionary<string, BatchFolder?>(StringComparer.Ordinal);
        private string? _stop;

        public BatchResume(UploadJournal journal, IBatchHost host, Func<MetricaClient> client, ResumeOptions options, CancellationToken cancellation)
        {
            _journal = journal;
            _host = host;
            _client = client;
            _options = options;
            _cancellation = cancellation;
        }

        /// <summary>Batches sent again and accepted, or found accepted in the counter's uploads.</summary>
        public IList<MetricaUpload> Accepted { get; } = new List<MetricaUpload>();

        /// <summary>The selected batches that the last <see cref="Run"/> left to the running send that owns them.</summary>
        public IReadOnlyList<JournalBatch> OwnedElsewhere { get; private set; } = Array.Empty<JournalBatch>();

        private readonly HashSet<long> _warnedBusy = new HashSet<long>();

        /// <summary>Settles what it can and returns every selected batch as it stands afterwards.</summary>
        public IReadOnlyList<JournalBatch> Run()
        {
            try
            {
                var selected = _journal.PendingBatches(_options.CounterId, _options.Kind)
                    .Where(b => _options.BatchIds == null || _options.BatchIds.Contains(b.Id)).ToList();
                var mine = selected.Where(Claim).ToList();
                OwnedElsewhere = selected.Except(mine).ToList();
                foreach (var busy in OwnedElsewhere)
                    if (_warnedBusy.Add(busy.Id))
                        _host.Warning($"Batch {busy.Id} ({busy.Rows} records) belongs to a send that is still running; it is left to that send.");
                if (_options.Discard)
                    foreach (var batch in mine) Discard(batch);
                else
                    foreach (var kind in mine.Select(b => b.Kind).Distinct().ToList())
                    {
                        // A batch sent again may fail again in a way that keeps it: settle the kind again, a few rounds.
                        for (int round = 0; round < MaxRounds && _stop == null; round++)
                        {
                            var open = _journal.PendingBatches(_options.CounterId, kind).Where(b => mine.Any(m => m.Id == b.Id)).ToList();
                            if (open.Count == 0 || !Settle(open)) break;
                        }
                    }
                return selected.Select(b => _journal.Batch(b.Id)!).ToList();
            }
            finally
            {
                foreach (var folder in _folders.Values) folder?.Dispose();
            }
        }

        /// <summary>
        /// Removes what a killed send left in the batch folders that no unsettled batch needs (the file it was writing
        /// when it died); folders whose send still runs are left alone.
        /// </summary>
        public static void RemoveLeftovers(UploadJournal journal, string batchesRoot)
        {
            if (!Directory.Exists(batchesRoot)) return;
            var keep = journal.UnsettledFiles();
            foreach (var folder in Directory.EnumerateDirectories(batchesRoot))
            {
                using var claimed = BatchFolder.TryClaim(folder);
                if (claimed == null) continue;
                foreach (var file in Directory.EnumerateFiles(folder))
                    if (!keep.Contains(file) && Path.GetFileName(file) != BatchFolder.LockName) BatchFolder.Delete(file);
            }
        }

        /// <summary>Takes the batch's folder unless its owner still runs. A batch without a file (sent by an older journal schema) is ours.</summary>
        private bool Claim(JournalBatch batch)
        {
            if (batch.FilePath == null) return true;
            string folder = Path.GetDirectoryName(batch.FilePath)!;
            if (folder == _options.OwnFolder) return true;
            if (!_folders.TryGetValue(folder, out var claimed))
                _folders[folder] = claimed = Directory.Exists(folder) ? BatchFolder.TryClaim(folder) : null;
            return claimed != null || !Directory.Exists(folder);
        }

        private void Discard(JournalBatch batch)
        {
            if (!_host.Approve($"Metrica counter {batch.CounterId}", $"Discard kept batch {batch.Id} ({batch.Rows} records, {batch.State}) without sending it")) return;
            _journal.CompleteBatch(batch.Id, null, BatchState.Failed, $"discarded ({batch.State}: {batch.Message})");
            if (batch.FilePath != null) BatchFolder.Delete(batch.FilePath);
        }

        /// <summary>
        /// One round over a kind's kept batches. True when another round may settle more: something was sent again and
        /// no answer said to wait (a resend that lost its answer is looked up next round; one refused for a server error
        /// or a quota means Metrica wants time, so the rest waits for a later resume).
        /// </summary>
        private bool Settle(List<JournalBatch> batches)
        {
            var toSend = new List<JournalBatch>(batches.Where(b => b.State == BatchState.Deferred));
            var unknown = batches.Where(b => b.State != BatchState.Deferred).ToList();
            if (unknown.Count > 0) toSend.AddRange(Reconcile(unknown));
            bool sent = false;
            foreach (var batch in toSend.OrderBy(b => b.Id))
            {
                if (_stop != null) break;
                sent |= Resend(batch);
                if (_journal.Batch(batch.Id)!.State == BatchState.Deferred) return false;
            }
            return sent;
        }

        private const int MaxRounds = 10;

        /// <summary>
        /// Finds the uploads of batches whose outcome is unknown. The journal's batches of the kind, in the order they
        /// were sent, and the counter's listed uploads, oldest first, are walked together: uploads the journal already
        /// knows are anchors, and the unknown batches between two anchors can only be the unlisted uploads between them.
        /// None there: none was applied. Otherwise each unlisted upload is placed by its time: the anchors tell how far
        /// Metrica's clock is from this machine's, and an upload must fall in the time one batch was being sent (any
        /// batch of the gap, since a kept SAVE batch may also have been applied) with that batch's element count.
        /// Anything that does not fit exactly one way leaves those batches Unknown for a person to decide.
        /// Returns the batches found not applied that may be sent again.
        /// </summary>
        private List<JournalBatch> Reconcile(List<JournalBatch> unknown)
        {
            var request = unknown[0].Request;
            if (request == null)
            {
                foreach (var b in unknown) Leave(b, "it was recorded by an older version without its request, so it cannot be looked up or sent again");
                return new List<JournalBatch>();
            }
            var since = unknown.Min(b => b.StartedUtc) - ClockSkew;
            var client = _client();
            IReadOnlyList<MetricaUpload> listed = _host.Await(Task.Run(() => client.ListUploadsSinceAsync(_options.CounterId, request, new DateTimeOffset(since, TimeSpan.Zero), _cancellation)));
            // Oldest first; the listing is newest first, so reversing keeps the order of uploads made in the same second.
            var uploads = listed.Where(u => UploadRequest.MayBeOfKind(request.KindName, u)).Reverse()
                .Select((u, i) => (Upload: u, Order: i)).OrderBy(x => x.Upload.DateTime ?? DateTimeOffset.MaxValue).ThenBy(x => x.Order).Select(x => x.Upload).ToList();
            var position = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < uploads.Count; i++) position[uploads[i].UploadId] = i;
            // Whole-second times (Metrica's documented format) place an upload only within that second.
            var precision = uploads.Any(u => u.DateTime is { } d && d.UtcTicks % TimeSpan.TicksPerSecond != 0) ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromSeconds(1);

            // In the order they were (last) sent, as Metrica lists them: a batch sent again later sorts by its new start.
            var journalOrder = _journal.BatchesSentSince(_options.CounterId, unknown[0].Kind, since);
            var unknownIds = new HashSet<long>(unknown.Select(b => b.Id));
            var notApplied = new List<JournalBatch>();
            // Every upload the journal knows narrows how far Metrica's clock is from this machine's (taken as constant
            // over the listing): each was made while its batch was being sent.
            var anchors = journalOrder.Where(b => b.UploadId != null && position.ContainsKey(b.UploadId)).Select(b => (b, position[b.UploadId!])).ToList();
            var offset = Gap.Offset(uploads, anchors, precision, ClockSkew);
            // last_uploadings lists every CDP entity as SYSTEM (the docs' only value for contacts and orders alike), so the
            // listing holds the other CDP kinds' uploads too: those that fall in another kind's sending time are theirs.
            var others = request.Api != UploadApi.Cdp ? new List<JournalBatch>()
                : new[] { JournalKind.Orders, JournalKind.Clients, JournalKind.SimpleOrders }.Where(k => k != unknown[0].Kind)
                    .SelectMany(k => _journal.BatchesSentSince(_options.CounterId, k, since)).ToList();
            var gap = new Gap(uploads, precision, offset, others);
            foreach (var batch in journalOrder)
            {
                if (batch.UploadId == null || !position.TryGetValue(batch.UploadId, out int anchor))
                {
                    gap.Batches.Add(batch);
                    continue;
                }
                gap.After = anchor;
                gap.AnchorAfter = batch;
                notApplied.AddRange(Match(gap, unknownIds, laterListed: true));
                gap = new Gap(uploads, precision, offset, others) { Before = anchor, AnchorBefore = batch };
            }
            gap.After = uploads.Count;
            notApplied.AddRange(Match(gap, unknownIds, laterListed: false));
            return notApplied;
        }

        /// <summary>The journal's batches between two listed uploads the journal knows (the anchors), and those uploads.</summary>
        private sealed class Gap
        {
            public Gap(List<MetricaUpload> uploads, TimeSpan precision, (TimeSpan Low, TimeSpan High) offset, List<JournalBatch> otherKinds)
            {
                Uploads = uploads;
                Precision = precision;
                ClockOffset = offset;
                OtherKinds = otherKinds;
            }

            /// <summary>The counter's batches of the other CDP kinds over the same time, whose uploads the listing also holds.</summary>
            public List<JournalBatch> OtherKinds { get; }

            /// <summary>How far Metrica's clock may be ahead of this machine's, at least and at most.</summary>
            public (TimeSpan Low, TimeSpan High) ClockOffset { get; }

            public List<MetricaUpload> Uploads { get; }
            public TimeSpan Precision { get; }
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

        private List<JournalBatch> Match(Gap gap, HashSet<long> unknownIds, bool laterListed)
        {
            var run = gap.Batches.Where(b => unknownIds.Contains(b.Id)).ToList();
            if (run.Count == 0) return new List<JournalBatch>();
            if (gap.After <= gap.Before)
            {
                // The listing orders two known uploads otherwise than they were sent (same second): no gap to read.
                foreach (var batch in run) Leave(batch, "Metrica lists the uploads around it in another order than they were sent, so whether it was applied cannot be told");
                return new List<JournalBatch>();
            }
            var candidates = new List<MetricaUpload>();
            for (int i = gap.Before + 1; i < gap.After; i++)
                if (!_journal.KnowsUpload(_options.CounterId, gap.Uploads[i].UploadId)) candidates.Add(gap.Uploads[i]);
            var (found, why) = candidates.Count == 0 ? (new Dictionary<long, MetricaUpload>(), null) : Place(gap, candidates);
            if (found == null)
            {
                // Sending a replay-safe batch again is harmless whether or not it was applied; any other waits for a person.
                foreach (var batch in run.Where(b => !b.ReplaySafe))
                    Leave(batch, $"whether Metrica applied it cannot be told from its uploads: {why}; " +
                        "check the counter's uploads, then send the batch again or discard it");
                return run.Where(b => b.ReplaySafe).ToList();
            }
            var notApplied = new List<JournalBatch>();
            foreach (var batch in run)
            {
                if (found.TryGetValue(batch.Id, out var upload)) { Found(batch, upload); continue; }
                bool listingComplete = laterListed || DateTime.UtcNow - batch.StartedUtc >= _options.ListingGrace;
                if (batch.ReplaySafe || listingComplete) notApplied.Add(batch);
                else Leave(batch, $"Metrica does not list it yet; resume after {batch.StartedUtc + _options.ListingGrace:HH:mm:ss} UTC, when a missing upload means it was not applied");
            }
            return notApplied;
        }

        /// <summary>
        /// Which batch of the gap each unlisted upload is, by time: null (and why) unless every upload falls in the
        /// sending time of exactly one batch, no batch gets two, and an unknown batch's upload has its element count.
        /// </summary>
        private (Dictionary<long, MetricaUpload>? Placed, string? Why) Place(Gap gap, List<MetricaUpload> candidates)
        {
            var (low, high) = gap.ClockOffset;
            if (low > high) return (null, "the listed times of the uploads around it contradict the times they were sent");
            var placed = new Dictionary<long, MetricaUpload>();
            foreach (var upload in candidates)
            {
                if (upload.DateTime is not DateTimeOffset listed) return (null, $"upload {upload.UploadId} has no time");
                // The local time the upload was made lies in [listed - high, listed + precision - low].
                var from = listed.UtcDateTime - high;
                var to = listed.UtcDateTime + gap.Precision - low;
                // The anchors' own windows count too: an attempt of theirs that was applied before a retry is explained by them.
                // Only a replay-safe batch is retried after an answer was lost; a non-replay-safe anchor's upload is the one
                // listed, so its window explains no other (without this, Metrica's whole-second times put an upload made
                // between two quick APPEND batches in three windows).
                var fits = gap.Batches.Concat(new[] { gap.AnchorBefore, gap.AnchorAfter }.Where(a => a is { ReplaySafe: true }).Select(a => a!))
                    .Where(b => b.StartedUtc <= to && (b.CompletedUtc ?? DateTime.MaxValue) >= from).ToList();
                string at = $"upload {upload.UploadId} ({Count(upload)} elements, made between {from:HH:mm:ss.fff} and {to:HH:mm:ss.fff} UTC by this machine's clock)";
                if (fits.Count == 0 && gap.OtherKinds.Any(b => b.StartedUtc <= to && (b.CompletedUtc ?? DateTime.MaxValue) >= from)) continue;
                if (fits.Count != 1) return (null, $"{at} falls in the sending time of {fits.Count} batches ({string.Join(", ", fits.Select(f => f.Id))})");
                if (placed.ContainsKey(fits[0].Id)) return (null, $"{at} and another both fall in batch {fits[0].Id}'s sending time");
                if (Count(upload) != fits[0].Rows) return (null, $"{at} falls in batch {fits[0].Id}'s sending time, which had {fits[0].Rows} records");
                placed[fits[0].Id] = upload;
            }
            return (placed, null);
        }

        private static long? Count(MetricaUpload upload) => upload.ElementsCount ?? upload.SourceQuantity ?? upload.LineQuantity;

        private void Found(JournalBatch batch, MetricaUpload upload)
        {
            var outcome = upload.Failed ? BatchState.Failed : BatchState.Accepted;
            // Its attempt ended when Metrica made the upload (not now): later reconciliations place uploads by these times.
            var madeAt = upload.DateTime?.UtcDateTime is DateTime at && at > batch.StartedUtc ? at : batch.StartedUtc;
            _journal.CompleteBatch(batch.Id, upload.UploadId, outcome, $"found in the counter's uploads ({upload.Status})", madeAt);
            if (batch.FilePath != null) BatchFolder.Delete(batch.FilePath);
            if (!upload.Failed) Accepted.Add(upload);
            _host.Progress($"Batch {batch.Id}: Metrica has it as upload {upload.UploadId}");
        }

        private void Leave(JournalBatch batch, string why)
        {
            // Its state and times stay: a Pending batch's attempt has no known end, which later reconciliations must see.
            _journal.NoteBatch(batch.Id, why);
            _host.Warning($"Batch {batch.Id} ({batch.Rows} records) stays unsettled: {why}.");
        }

        /// <summary>Sends a kept batch again; false when it was not sent (its file is gone, or it was declined).</summary>
        private bool Resend(JournalBatch batch)
        {
            var request = batch.Request;
            if (request == null || batch.FilePath == null || !File.Exists(batch.FilePath) || BatchFolder.Sha256(batch.FilePath) != batch.FileSha256)
            {
                // Nothing can be sent again: its records are reported as lost with the batch, never silently.
                _journal.CompleteBatch(batch.Id, null, BatchState.Failed, "its file is missing or changed, so it cannot be sent again");
                _host.Warning($"Batch {batch.Id} ({batch.Rows} records) cannot be sent again: its file {batch.FilePath} is missing or changed. Send those records again from the source.");
                return false;
            }
            var file = new BatchFile(batch.FilePath, batch.Rows, batch.FilePath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "application/json" : "text/csv");
            if (!_host.Approve($"Metrica counter {batch.CounterId}", $"Send kept batch {batch.Id} again ({batch.Rows} records as {request.KindName}, {batch.MergeMode}; {batch.State}: {batch.Message})"))
                return false;
            _journal.RestartBatch(batch.Id);
            var client = _client();
            try
            {
                var upload = _host.Await(Task.Run(() => client.SendUploadAsync(batch.CounterId, request, file, _cancellation)));
                upload.RowsSent = batch.Rows;
                upload.File = file.Name;
                upload.Kind = request.KindName;
                var (outcome, note) = BatchOutcome.Of(upload);
                _journal.CompleteBatch(batch.Id, upload.UploadId, outcome, note ?? "sent again");
                BatchFolder.Delete(file.Path);
                if (!upload.Failed) Accepted.Add(upload);
                _host.Uploaded(upload, file);
            }
            catch (DailyBudgetSpentException ex)
            {
                _journal.CompleteBatch(batch.Id, null, BatchState.Deferred, "not sent: " + ex.Message);
                _stop = ex.Message;
                _host.Warning($"Stopped before batch {batch.Id}: {ex.Message} Resume after {ex.ResumeAtUtc:yyyy-MM-dd HH:mm} UTC.");
            }
            catch (MetricaApiException ex)
            {
                var outcome = BatchOutcome.Of(ex, keptForLater: true);
                _journal.CompleteBatch(batch.Id, null, outcome, ex.Message);
                if (outcome == BatchState.Failed) BatchFolder.Delete(file.Path);
                if (ex.IsAccessRefused || ex.IsDailyQuota)
                    _stop = ex.Message;
                _host.UploadFailed(ex, file, outcome);
            }
            return true;
        }
    }
}
