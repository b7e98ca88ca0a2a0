using MetricaCrm.Engine.Journal;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>A journal that cannot be used is one error with its file and what to do, whatever SQLite said.</summary>
public sealed class JournalUnavailableTests : IDisposable
{
    private readonly string _dir = TestDirectory.Create("metricacrm-journal-unavailable-");

    public void Dispose()
    {
        foreach (var f in Directory.GetFiles(_dir, "*", SearchOption.AllDirectories)) File.SetAttributes(f, FileAttributes.Normal);
        Directory.Delete(_dir, true);
    }

    private string DbPath => Path.Combine(_dir, "journal.db");

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_with_its_path_and_the_fix()
    {
        File.WriteAllText(DbPath, string.Concat(Enumerable.Repeat("id;created\nЗ-1;31.12.2024\n", 400)));
        var ex = Assert.Throws<UploadJournalUnavailableException>(() => UploadJournal.Open(DbPath));
        Assert.Equal(DbPath, ex.Path);
        Assert.Contains("not an SQLite database", ex.Reason);
        Assert.StartsWith($"The upload journal at {DbPath} cannot be used: ", ex.Message);
        Assert.Contains("Move the file aside", ex.Fix);
    }

    [Fact]
    public void A_folder_in_the_journals_place_is_named_as_such()
    {
        Directory.CreateDirectory(DbPath);
        var ex = Assert.Throws<UploadJournalUnavailableException>(() => UploadJournal.Open(DbPath));
        Assert.Equal(("a folder is in its place", DbPath), (ex.Reason, ex.Path));
    }

    [Fact]
    public void A_journal_this_user_may_not_write_is_refused_when_opened_not_at_the_first_batch()
    {
        using (UploadJournal.Open(DbPath)) { }
        File.SetAttributes(DbPath, FileAttributes.ReadOnly);
        try
        {
            using (new FileStream(DbPath, FileMode.Open, FileAccess.Write)) { }
            return; // root (CI's containers) writes a read-only file: nothing to refuse there
        }
        catch (UnauthorizedAccessException) { }
        var ex = Assert.Throws<UploadJournalUnavailableException>(() => UploadJournal.Open(DbPath));
        Assert.Contains("may not write", ex.Reason);
    }
}
