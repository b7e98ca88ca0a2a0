using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;
using Microsoft.Data.Sqlite;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>The journal a dry run (-WhatIf) reads: what was accepted, and never a write.</summary>
public sealed class JournalReadOnlyTests : IDisposable
{
    private static readonly Uri Api = new("http://127.0.0.1:5000/");
    private readonly string _dir = TestDirectory.Create("metricacrm-journal-ro-");

    private string DbPath => Path.Combine(_dir, "journal.db");

    private void AcceptOne()
    {
        using var j = UploadJournal.Open(DbPath);
        j.BindApi(Api);
        long batch = j.BeginBatch(7, JournalKind.SimpleOrders, MergeMode.Save, null, null, 1, replaySafe: true);
        j.AddSentRecords(batch, new[] { new JournalRecord("O-1", 42) });
        j.CompleteBatch(batch, "u1", BatchState.Accepted, null);
    }

    [Fact]
    public void OpenReadOnly_reads_the_accepted_state_and_refuses_every_write()
    {
        AcceptOne();
        byte[] before = File.ReadAllBytes(DbPath);
        using (var j = UploadJournal.OpenReadOnly(DbPath, Api))
        {
            var found = new AcceptedState[2];
            j.LastAccepted(7, JournalKind.SimpleOrders, new[] { "O-1", "O-2" }, found);
            Assert.True(found[0].Found);
            Assert.Equal(42, found[0].Fingerprint);
            Assert.False(found[1].Found);
            var refused = Assert.Throws<SqliteException>(() => j.BeginBatch(7, JournalKind.SimpleOrders, MergeMode.Save, null, null, 1, true));
            Assert.Equal(8, refused.SqliteErrorCode); // SQLITE_READONLY
        }
        Assert.Equal(before, File.ReadAllBytes(DbPath));
    }

    [Fact]
    public void OpenReadOnly_of_a_missing_file_knows_nothing_and_creates_nothing()
    {
        using (var j = UploadJournal.OpenReadOnly(DbPath, Api))
        {
            var found = new AcceptedState[1];
            j.LastAccepted(7, JournalKind.SimpleOrders, new[] { "O-1" }, found);
            Assert.False(found[0].Found);
            Assert.Empty(j.PendingBatches(7));
        }
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void OpenReadOnly_refuses_a_journal_of_another_API_address()
    {
        AcceptOne();
        var ex = Assert.Throws<JournalForAnotherApiException>(() => UploadJournal.OpenReadOnly(DbPath, new Uri("https://api-metrika.yandex.net/")));
        Assert.Equal("http://127.0.0.1:5000", ex.BoundApi);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
