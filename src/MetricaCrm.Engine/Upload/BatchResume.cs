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
        /// Settles batches whose outcome is unknown by the counter's listed uploads (see <see cref="UploadReconciler"/>):
        /// a batch found there is recorded as that upload; the rest are left, with why, or returned to be sent again.
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
            // In the order they were (last) sent, as Metrica lists them: a batch sent again later sorts by its new start.
            var journalOrder = _journal.BatchesSentSince(_options.CounterId, unknown[0].Kind, since);
            // last_uploadings lists every CDP entity as SYSTEM (the docs' only value for contacts and orders alike), so the
            // listing holds the other CDP kinds' uploads too: those that fall in another kind's sending time are theirs.
            var others = request.Api != UploadApi.Cdp ? new List<JournalBatch>()
                : new[] { JournalKind.Orders, JournalKind.Clients, JournalKind.SimpleOrders }.Where(k => k != unknown[0].Kind)
                    .SelectMany(k => _journal.BatchesSentSince(_options.CounterId, k, since)).ToList();
            var decided = new UploadReconciler(_options.ListingGrace, ClockSkew).Reconcile(unknown, journalOrder, others, listed, request.KindName,
                id => _journal.KnowsUpload(_options.CounterId, id), _journal.UtcNow());
            foreach (var found in decided.Found) Found(found.Batch, found.Upload);
            foreach (var (batch, why) in decided.Left) Leave(batch, why);
            return decided.SendAgain;
        }

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
