using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
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

        /// <summary>Settles what it can and returns every selected batch as it stands afterwards.</summary>
        public IReadOnlyList<JournalBatch> Run()
        {
            try
            {
                var selected = _journal.PendingBatches(_options.CounterId, _options.Kind)
                    .Where(b => _options.BatchIds == null || _options.BatchIds.Contains(b.Id)).ToList();
                var mine = selected.Where(Claim).ToList();
                foreach (var busy in selected.Except(mine))
                    _host.Warning($"Batch {busy.Id} ({busy.Rows} records) belongs to a send that is still running; it is left to that send.");
                if (_options.Discard)
                    foreach (var batch in mine) Discard(batch);
                else
                    foreach (var group in mine.GroupBy(b => b.Kind)) Settle(group.ToList());
                return selected.Select(b => _journal.Batch(b.Id)!).ToList();
            }
            finally
            {
                foreach (var folder in _folders.Values) folder?.Dispose();
            }
        }

        /// <summary>Takes the batch's folder unless its owner still runs. A batch without a file (sent by an older journal schema) is ours.</summary>
        private bool Claim(JournalBatch batch)
        {
            if (batch.FilePath == null) return true;
            string folder = Path.GetDirectoryName(batch.FilePath)!;
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

        private void Settle(List<JournalBatch> batches)
        {
            var toSend = new List<JournalBatch>(batches.Where(b => b.State == BatchState.Deferred));
            var unknown = batches.Where(b => b.State != BatchState.Deferred).ToList();
            if (unknown.Count > 0) toSend.AddRange(Reconcile(unknown));
            foreach (var batch in toSend.OrderBy(b => b.Id))
            {
                if (_stop != null) break;
                Resend(batch);
            }
        }

        /// <summary>
        /// Finds the uploads of batches whose outcome is unknown. The journal's batches of the kind, in the order they
        /// were sent, and the counter's listed uploads, oldest first, are walked together: uploads the journal already
        /// knows are anchors, and the unknown batches between two anchors can only be the unlisted uploads between them
        /// with the same element counts. None there: none was applied. As many as batches, counts matching in order:
        /// each was applied. Anything else is ambiguous, and those batches stay Unknown for a person to decide.
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

            // In the order they were (last) sent, as Metrica lists them: a batch sent again later sorts by its new start.
            var journalOrder = _journal.BatchesSentSince(_options.CounterId, unknown[0].Kind, since);
            var unknownIds = new HashSet<long>(unknown.Select(b => b.Id));
            var notApplied = new List<JournalBatch>();
            int previousAnchor = -1;
            var run = new List<JournalBatch>();
            foreach (var batch in journalOrder)
            {
                if (unknownIds.Contains(batch.Id)) { run.Add(unknown.First(u => u.Id == batch.Id)); continue; }
                if (batch.UploadId == null || !position.TryGetValue(batch.UploadId, out int anchor)) continue;
                if (run.Count > 0) notApplied.AddRange(Match(run, uploads, previousAnchor, anchor, laterListed: true));
                run.Clear();
                previousAnchor = anchor;
            }
            if (run.Count > 0) notApplied.AddRange(Match(run, uploads, previousAnchor, uploads.Count, laterListed: false));
            return notApplied;
        }

        private List<JournalBatch> Match(List<JournalBatch> run, List<MetricaUpload> uploads, int after, int before, bool laterListed)
        {
            if (before <= after)
            {
                // The listing orders two known uploads otherwise than they were sent (same second): no gap to read.
                foreach (var batch in run) Leave(batch, "Metrica lists the uploads around it in another order than they were sent, so whether it was applied cannot be told");
                return new List<JournalBatch>();
            }
            var candidates = new List<MetricaUpload>();
            for (int i = after + 1; i < before; i++)
                if (run.Any(b => Count(uploads[i]) == b.Rows) && !_journal.KnowsUpload(_options.CounterId, uploads[i].UploadId)) candidates.Add(uploads[i]);
            if (candidates.Count == 0)
            {
                var notApplied = new List<JournalBatch>();
                foreach (var batch in run)
                {
                    bool listingComplete = laterListed || DateTime.UtcNow - batch.StartedUtc >= _options.ListingGrace;
                    if (batch.ReplaySafe || listingComplete) notApplied.Add(batch);
                    else Leave(batch, $"Metrica does not list it yet; resume after {batch.StartedUtc + _options.ListingGrace:HH:mm:ss} UTC, when a missing upload means it was not applied");
                }
                return notApplied;
            }
            if (candidates.Count == run.Count && candidates.Select(Count).SequenceEqual(run.Select(b => (long?)b.Rows)))
            {
                for (int i = 0; i < run.Count; i++) Found(run[i], candidates[i]);
                return new List<JournalBatch>();
            }
            foreach (var batch in run)
                Leave(batch, $"{candidates.Count} upload(s) listed by Metrica could be {run.Count} batch(es) of unknown outcome ({string.Join(", ", candidates.Select(c => c.UploadId))}); " +
                    "check them and send the batch again or discard it");
            return new List<JournalBatch>();
        }

        private static long? Count(MetricaUpload upload) => upload.ElementsCount ?? upload.SourceQuantity ?? upload.LineQuantity;

        private void Found(JournalBatch batch, MetricaUpload upload)
        {
            var outcome = upload.Failed ? BatchState.Failed : BatchState.Accepted;
            _journal.CompleteBatch(batch.Id, upload.UploadId, outcome, $"found in the counter's uploads ({upload.Status})");
            if (batch.FilePath != null) BatchFolder.Delete(batch.FilePath);
            if (!upload.Failed) Accepted.Add(upload);
            _host.Progress($"Batch {batch.Id}: Metrica has it as upload {upload.UploadId}");
        }

        private void Leave(JournalBatch batch, string why)
        {
            if (batch.State != BatchState.Unknown) _journal.CompleteBatch(batch.Id, null, BatchState.Unknown, why);
            _host.Warning($"Batch {batch.Id} ({batch.Rows} records) stays unsettled: {why}.");
        }

        private void Resend(JournalBatch batch)
        {
            var request = batch.Request;
            if (request == null || batch.FilePath == null || !File.Exists(batch.FilePath) || BatchFolder.Sha256(batch.FilePath) != batch.FileSha256)
            {
                // Nothing can be sent again: its records are reported as lost with the batch, never silently.
                _journal.CompleteBatch(batch.Id, null, BatchState.Failed, "its file is missing or changed, so it cannot be sent again");
                _host.Warning($"Batch {batch.Id} ({batch.Rows} records) cannot be sent again: its file {batch.FilePath} is missing or changed. Send those records again from the source.");
                return;
            }
            var file = new BatchFile(batch.FilePath, batch.Rows, batch.FilePath.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? "application/json" : "text/csv");
            if (!_host.Approve($"Metrica counter {batch.CounterId}", $"Send kept batch {batch.Id} again ({batch.Rows} records as {request.KindName}, {batch.MergeMode}; {batch.State}: {batch.Message})"))
                return;
            _journal.RestartBatch(batch.Id);
            var client = _client();
            try
            {
                var upload = _host.Await(Task.Run(() => client.SendUploadAsync(batch.CounterId, request, file, _cancellation)));
                upload.RowsSent = batch.Rows;
                upload.File = file.Name;
                upload.Kind = request.KindName;
                _journal.CompleteBatch(batch.Id, upload.UploadId, upload.Failed ? BatchState.Failed : BatchState.Accepted, upload.Failed ? "validation FAILED" : "sent again");
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
                if (ex.StatusCode == HttpStatusCode.Unauthorized || ex.StatusCode == HttpStatusCode.Forbidden || BatchOutcome.IsDailyQuota(ex))
                    _stop = ex.Message;
                _host.UploadFailed(ex, file, outcome);
            }
        }
    }
}
