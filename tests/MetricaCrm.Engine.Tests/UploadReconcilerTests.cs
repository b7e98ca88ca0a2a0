using System;
using System.Collections.Generic;
using System.Linq;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Upload;
using Xunit;

namespace MetricaCrm.Engine.Tests
{
    /// <summary>
    /// The reconciler alone: journal batches and listed uploads in, a decision per unknown batch out, with the time
    /// given (no sleeping, no journal, no requests). Times are this machine's unless a test moves Metrica's clock.
    /// </summary>
    public class UploadReconcilerTests
    {
        private static readonly DateTime T0 = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc);
        private static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);
        private static readonly UploadReconciler Reconciler = new UploadReconciler(Grace, TimeSpan.FromMinutes(5));

        private static JournalBatch Batch(long id, double startSeconds, double endSeconds, long rows, bool replaySafe, string? uploadId = null,
            BatchState state = BatchState.Accepted) => new JournalBatch
            {
                Id = id, CounterId = 1, Kind = JournalKind.SimpleOrders, MergeMode = replaySafe ? MergeMode.Save : MergeMode.Append,
                Rows = rows, ReplaySafe = replaySafe, State = state, StartedUtc = T0.AddSeconds(startSeconds),
                CompletedUtc = state == BatchState.Pending ? null : T0.AddSeconds(endSeconds), UploadId = uploadId,
            };

        private static JournalBatch Unknown(long id, double start, double end, long rows, bool replaySafe = false) =>
            Batch(id, start, end, rows, replaySafe, state: BatchState.Unknown);

        /// <summary>An upload listed at a time of Metrica's clock (seconds after T0, whole seconds as Metrica lists them).</summary>
        private static MetricaUpload Listed(string id, double atSeconds, long elements) =>
            new MetricaUpload { UploadId = id, DateTime = new DateTimeOffset(T0.AddSeconds(atSeconds)), ElementsCount = elements, Status = "UPLOADED" };

        private static UploadReconciliation Run(JournalBatch[] unknown, JournalBatch[] order, MetricaUpload[] oldestFirst, double nowSeconds = 3600,
            JournalBatch[]? otherKinds = null)
        {
            var known = new HashSet<string>(order.Where(b => b.UploadId != null).Select(b => b.UploadId!).Concat((otherKinds ?? Array.Empty<JournalBatch>()).Where(b => b.UploadId != null).Select(b => b.UploadId!)));
            // Metrica lists newest first.
            return Reconciler.Reconcile(unknown, order, otherKinds ?? Array.Empty<JournalBatch>(), Enumerable.Reverse(oldestFirst).ToList(), "simple_orders", known.Contains, T0.AddSeconds(nowSeconds));
        }

        [Fact]
        public void An_unknown_batch_between_two_anchors_with_no_unlisted_upload_was_not_applied()
        {
            var before = Batch(1, 0, 2, 10, false, "U1");
            var lost = Unknown(2, 10, 12, 20);
            var after = Batch(3, 20, 22, 30, false, "U3");
            var r = Run(new[] { lost }, new[] { before, lost, after }, new[] { Listed("U1", 1, 10), Listed("U3", 21, 30) });
            Assert.Equal(new[] { 2L }, r.SendAgain.Select(b => b.Id));
            Assert.Empty(r.Found);
            Assert.Empty(r.Left);
        }

        [Fact]
        public void An_unlisted_upload_in_the_batchs_sending_time_with_its_count_is_that_batch()
        {
            var before = Batch(1, 0, 2, 10, false, "U1");
            var lost = Unknown(2, 10, 12, 20);
            var after = Batch(3, 20, 22, 30, false, "U3");
            var r = Run(new[] { lost }, new[] { before, lost, after }, new[] { Listed("U1", 1, 10), Listed("X", 11, 20), Listed("U3", 21, 30) });
            var found = Assert.Single(r.Found);
            Assert.Equal((2L, "X"), (found.Batch.Id, found.Upload.UploadId));
            Assert.Empty(r.SendAgain);
        }

        [Fact]
        public void The_anchors_measure_how_far_Metricas_clock_is_ahead_and_the_upload_is_placed_by_it()
        {
            // Metrica's clock runs 40 s ahead of this machine's: every listed time is the local time + 40 s.
            var before = Batch(1, 0, 2, 10, false, "U1");
            var first = Unknown(2, 10, 12, 20);
            var second = Unknown(3, 50, 52, 20);
            var after = Batch(4, 100, 102, 30, false, "U4");
            var listed = new[] { Listed("U1", 41, 10), Listed("X", 51, 20), Listed("U4", 141, 30) };
            var r = Run(new[] { first, second }, new[] { before, first, second, after }, listed);
            // At face value X (51 s) falls in batch 3's time (50-52 s); 40 s back it is batch 2's (10-12 s).
            var found = Assert.Single(r.Found);
            Assert.Equal((2L, "X"), (found.Batch.Id, found.Upload.UploadId));
            Assert.Equal(new[] { 3L }, r.SendAgain.Select(b => b.Id));
        }

        [Fact]
        public void Anchors_whose_times_contradict_each_other_leave_the_batch_to_a_person()
        {
            // U1 says Metrica is 100 s ahead; U4 says it is 100 s behind.
            var before = Batch(1, 0, 2, 10, false, "U1");
            var lost = Unknown(2, 10, 12, 20);
            var after = Batch(3, 200, 202, 30, false, "U3");
            var r = Run(new[] { lost }, new[] { before, lost, after }, new[] { Listed("U1", 101, 10), Listed("X", 105, 20), Listed("U3", 150, 30) });
            var (batch, why) = Assert.Single(r.Left);
            Assert.Equal(2L, batch.Id);
            Assert.Contains("contradict", why);
            Assert.Empty(r.SendAgain);
        }

        [Fact]
        public void An_upload_that_fits_two_batches_is_ambiguous_and_an_append_batch_waits_for_a_person()
        {
            // Without anchors the clock may be 5 minutes off either way: the upload fits both batches.
            var first = Unknown(1, 10, 12, 20);
            var second = Unknown(2, 30, 32, 20);
            var r = Run(new[] { first, second }, new[] { first, second }, new[] { Listed("X", 20, 20) });
            Assert.Equal(new[] { 1L, 2L }, r.Left.Select(l => l.Batch.Id));
            Assert.All(r.Left, l => Assert.Contains("falls in the sending time of 2 batches", l.Why));
            Assert.Empty(r.SendAgain);
        }

        [Fact]
        public void A_replay_safe_batch_whose_fate_cannot_be_told_is_sent_again()
        {
            var first = Unknown(1, 10, 12, 20, replaySafe: true);
            var second = Unknown(2, 30, 32, 20, replaySafe: false);
            var r = Run(new[] { first, second }, new[] { first, second }, new[] { Listed("X", 20, 20) });
            Assert.Equal(new[] { 1L }, r.SendAgain.Select(b => b.Id));
            Assert.Equal(new[] { 2L }, r.Left.Select(l => l.Batch.Id));
        }

        [Fact]
        public void An_upload_with_another_element_count_is_not_the_batchs()
        {
            var before = Batch(1, 0, 2, 10, false, "U1");
            var lost = Unknown(2, 10, 12, 20);
            var after = Batch(3, 20, 22, 30, false, "U3");
            var r = Run(new[] { lost }, new[] { before, lost, after }, new[] { Listed("U1", 1, 10), Listed("X", 11, 19), Listed("U3", 21, 30) });
            var (_, why) = Assert.Single(r.Left);
            Assert.Contains("which had 20 records", why);
        }

        [Fact]
        public void After_the_last_anchor_a_missing_append_upload_waits_out_the_listing_grace_then_counts_as_not_applied()
        {
            var before = Batch(1, 0, 2, 10, false, "U1");
            var lost = Unknown(2, 10, 12, 20);
            var listed = new[] { Listed("U1", 1, 10) };
            var early = Run(new[] { lost }, new[] { before, lost }, listed, nowSeconds: 10 + Grace.TotalSeconds - 1);
            var (_, why) = Assert.Single(early.Left);
            Assert.Contains("does not list it yet", why);
            var late = Run(new[] { lost }, new[] { before, lost }, listed, nowSeconds: 10 + Grace.TotalSeconds);
            Assert.Equal(new[] { 2L }, late.SendAgain.Select(b => b.Id));
            Assert.Empty(late.Left);
        }

        [Fact]
        public void Anchors_listed_in_another_order_than_sent_leave_the_batch_between_them()
        {
            var before = Batch(1, 0, 2, 10, false, "U1");
            var lost = Unknown(2, 3, 4, 20);
            var after = Batch(3, 5, 6, 30, false, "U3");
            // Both in the same second, listed U3 before U1 (newest first reversed: U3 older).
            var r = Run(new[] { lost }, new[] { before, lost, after }, new[] { Listed("U3", 5, 30), Listed("U1", 5, 10) });
            var (_, why) = Assert.Single(r.Left);
            Assert.Contains("another order than they were sent", why);
        }

        [Fact]
        public void An_upload_in_another_kinds_sending_time_is_that_kinds_and_does_not_count_for_this_batch()
        {
            var before = Batch(1, 0, 2, 10, false, "U1");
            var lost = Unknown(2, 10, 12, 20);
            var after = Batch(3, 100, 102, 30, false, "U3");
            var contacts = Batch(9, 60, 62, 20, true);
            contacts.Kind = JournalKind.Clients;
            var r = Run(new[] { lost }, new[] { before, lost, after }, new[] { Listed("U1", 1, 10), Listed("C", 61, 20), Listed("U3", 101, 30) },
                otherKinds: new[] { contacts });
            Assert.Equal(new[] { 2L }, r.SendAgain.Select(b => b.Id));
            Assert.Empty(r.Found);
        }
    }
}
