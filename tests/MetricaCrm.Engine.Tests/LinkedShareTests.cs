using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Upload;
using Microsoft.Data.Sqlite;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>Issue 20, "uploaded is not linked": a send's linked share against the trailing average of its counter and kind.</summary>
public sealed class LinkedShareTests : IDisposable
{
    private readonly string _dir = TestDirectory.Create("metricacrm-linked-");
    private readonly TestClock _clock = new(new DateTimeOffset(2026, 11, 1, 6, 30, 0, TimeSpan.Zero));

    private UploadJournal Open() => UploadJournal.Open(Path.Combine(_dir, "journal.db"), _clock);

    private static MetricaUpload Final(string id, long rows, long linked, string status = "PROCESSED", long? staticCalls = null) => new()
    {
        UploadId = id, Kind = "offline_conversions", Status = status, SourceQuantity = rows, LineQuantity = rows, LinkedQuantity = linked,
        StaticCallsQuantity = staticCalls,
    };

    /// <summary>One daily run: a batch sent at the clock's time, accepted as the upload, then the clock moves a day on.</summary>
    private string Sent(UploadJournal j, long counter, JournalKind kind, string uploadId)
    {
        long batch = j.BeginBatch(counter, kind, MergeMode.Save, null, null, 10, replaySafe: false);
        j.CompleteBatch(batch, uploadId, BatchState.Accepted, null);
        _clock.Now = _clock.Now.AddDays(1);
        return uploadId;
    }

    [Fact]
    public void The_average_is_of_the_last_seven_final_uploads_of_the_counter_and_kind_weighed_by_rows()
    {
        using var j = Open();
        // Nine earlier runs: the oldest two fall out of the average. 100 rows each; runs 3..9 linked 90, 90, ..., 60.
        long[] linked = { 0, 0, 90, 90, 90, 90, 90, 90, 60 };
        Sent(j, 7, JournalKind.Calls, "U-8");
        for (int i = 0; i < linked.Length; i++)
            Assert.True(j.RecordLinkage(7, JournalKind.OfflineConversions, Final(Sent(j, 7, JournalKind.OfflineConversions, "U-" + i), 100, linked[i])));
        // A calls upload with a conversions upload's id (Metrica lists them apart) keeps its own, unknown, quantities.
        Assert.Empty(j.RecentLinkage(7, JournalKind.Calls, 7));
        Assert.True(j.KnowsUpload(7, "U-8")); // reconciliation still finds an upload id whatever its kind
        // Neither another kind, another counter, nor an upload never followed until final counts.
        j.RecordLinkage(7, JournalKind.Calls, Final(Sent(j, 7, JournalKind.Calls, "C-1"), 100, 0));
        j.RecordLinkage(8, JournalKind.OfflineConversions, Final(Sent(j, 8, JournalKind.OfflineConversions, "O-1"), 100, 0));
        Sent(j, 7, JournalKind.OfflineConversions, "unfollowed");

        var today = LinkedShare.OfSend(j, 7, JournalKind.OfflineConversions, new[] { Final(Sent(j, 7, JournalKind.OfflineConversions, "today"), 40, 10) });

        Assert.Equal((25.0, 10L, 40L), (today.Percent, today.LinkedRows, today.LinkableRows));
        Assert.Equal((7, 85.7), (today.AverageUploads, today.AveragePercent)); // (6 x 90 + 60) / 700
        Assert.Null(today.Note);
        Assert.Equal("linked 25.0% (10 of 40 rows), average of the last 7 final upload(s) 85.7%", today.ToString());
        // Today's quantities are kept for tomorrow, newest first.
        var recent = j.RecentLinkage(7, JournalKind.OfflineConversions, 2);
        Assert.Equal(new[] { ("today", 40L, 10L), ("U-8", 100L, 60L) }, recent.Select(r => (r.UploadId, r.SourceQuantity, r.LinkedQuantity)));
        var batch = j.Batches(7, JournalKind.OfflineConversions, limit: 1).Single();
        Assert.Equal(("today", 40L, 10L), (batch.UploadId, batch.SourceQuantity, batch.LinkedQuantity));
    }

    [Fact]
    public void A_share_below_the_minimum_or_below_the_ratio_of_the_average_is_a_problem()
    {
        LinkedShare Share(long linked, long earlierLinked) =>
            LinkedShare.Measure(new[] { new UploadLinkage("t", 100, linked, null, _clock.Now.UtcDateTime) }, 0,
                new[] { new UploadLinkage("e", 100, earlierLinked, null, _clock.Now.UtcDateTime) });

        Assert.Null(Share(45, 80).Problem(minPercent: 10, sharpDropRatio: 0.5));
        Assert.Equal("linked share 5.0% is below the minimum of 10.0%", Share(5, 80).Problem(10, 0.5));
        Assert.Equal("linked share 39.0% dropped sharply: below 0.5 of the average 80.0% of the last 1 final upload(s)", Share(39, 80).Problem(10, 0.5));
        Assert.Null(Share(39, 80).Problem(10, 0)); // 0 turns the drop check off
        Assert.NotNull(Share(70, 80).Problem(0, 0.9));
        Assert.Null(Share(40, 80).Problem(40, 0.5)); // exactly at either threshold is not below it
        Assert.Throws<ArgumentOutOfRangeException>(() => Share(40, 80).Problem(101, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Share(40, 80).Problem(10, 1.5));
    }

    [Fact]
    public void Without_an_earlier_final_upload_only_the_minimum_applies()
    {
        using var j = Open();
        var first = LinkedShare.OfSend(j, 7, JournalKind.OfflineConversions, new[] { Final(Sent(j, 7, JournalKind.OfflineConversions, "first"), 4, 0, "LINKAGE_FAILURE") });
        Assert.Equal((0.0, (double?)null, 0), (first.Percent, first.AveragePercent, first.AverageUploads));
        Assert.Equal("no earlier final uploads to average", first.Note);
        Assert.Null(first.Problem(0, 0.5));
        Assert.NotNull(first.Problem(1, 0.5));
    }

    [Fact]
    public void An_upload_still_processing_has_no_quantities_and_is_neither_measured_nor_kept()
    {
        using var j = Open();
        j.RecordLinkage(7, JournalKind.OfflineConversions, Final(Sent(j, 7, JournalKind.OfflineConversions, "earlier"), 10, 9));
        var processing = new MetricaUpload { UploadId = Sent(j, 7, JournalKind.OfflineConversions, "slow"), Status = "MATCHED", SourceQuantity = 10, LinkedQuantity = 0 };

        var share = LinkedShare.OfSend(j, 7, JournalKind.OfflineConversions, new[] { processing });

        Assert.Null(share.Percent);
        Assert.Equal((0, 1), (share.FinalUploads, share.UnfinishedUploads));
        Assert.Equal("not known yet: no upload was final", share.Note);
        Assert.Null(share.Problem(99, 1)); // not known is not low: a timeout is reported as such
        Assert.Equal("earlier", Assert.Single(j.RecentLinkage(7, JournalKind.OfflineConversions, 5)).UploadId);
        Assert.Throws<ArgumentException>(() => j.RecordLinkage(7, JournalKind.OfflineConversions, processing));
    }

    [Fact]
    public void Static_calls_never_link_and_are_left_out_of_the_share()
    {
        var calls = LinkedShare.Measure(new[] { new UploadLinkage("c", 10, 3, 6, _clock.Now.UtcDateTime) }, 0, Array.Empty<UploadLinkage>());
        Assert.Equal((75.0, 4L), (calls.Percent, calls.LinkableRows));
        var allStatic = LinkedShare.Measure(new[] { new UploadLinkage("s", 5, 0, 5, _clock.Now.UtcDateTime) }, 0, Array.Empty<UploadLinkage>());
        Assert.Null(allStatic.Percent);
        Assert.StartsWith("no linkable rows (static calls never link)", allStatic.Note);
    }

    [Fact]
    public void A_kind_without_linkage_says_so_instead_of_zero()
    {
        var orders = LinkedShare.NotReportedFor("simple_orders");
        Assert.False(orders.KindReportsLinkage);
        Assert.Null(orders.Percent);
        Assert.Equal("linked share not reported (Metrica reports no linked quantities for simple_orders uploads)", orders.ToString());
        Assert.Null(orders.Problem(50, 0.5));
    }

    [Fact]
    public void Without_a_journal_the_share_is_measured_and_the_average_is_missing()
    {
        var share = LinkedShare.OfSend(null, 7, JournalKind.OfflineConversions, new[] { Final("x", 8, 6) });
        Assert.Equal(75.0, share.Percent);
        Assert.Null(share.AveragePercent);
        Assert.Equal("no average without the upload journal", share.Note);
    }

    [Fact]
    public void A_schema_3_journal_gains_the_final_quantities_and_keeps_its_batches()
    {
        string path = Path.Combine(_dir, "journal.db");
        using (var j = Open()) Sent(j, 7, JournalKind.OfflineConversions, "before-upgrade");
        // Schema 3 as the module before schema 4 wrote it: the batch table without the quantity columns.
        using (var raw = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            raw.Open();
            using var cmd = raw.CreateCommand();
            cmd.CommandText = "ALTER TABLE batch DROP COLUMN source_quantity; ALTER TABLE batch DROP COLUMN linked_quantity; ALTER TABLE batch DROP COLUMN static_calls_quantity; PRAGMA user_version = 3;";
            cmd.ExecuteNonQuery();
        }
        using (var j = Open())
        {
            var old = j.Batches(7).Single();
            Assert.Equal(("before-upgrade", (long?)null), (old.UploadId, old.LinkedQuantity));
            Assert.Empty(j.RecentLinkage(7, JournalKind.OfflineConversions, 7));
            Assert.True(j.RecordLinkage(7, JournalKind.OfflineConversions, Final("before-upgrade", 5, 4)));
            Assert.Equal(4L, j.Batches(7).Single().LinkedQuantity);
        }
        using (var raw = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            raw.Open();
            using var cmd = raw.CreateCommand();
            cmd.CommandText = "PRAGMA user_version";
            Assert.Equal((long)UploadJournal.SchemaVersion, cmd.ExecuteScalar());
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
