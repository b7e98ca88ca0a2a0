using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Storage;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>Files with personal data are the owner's alone on Unix, whatever the umask; folders that existed stay as they were.</summary>
public sealed class PrivateFilesTests : IDisposable
{
    private readonly string _dir = TestDirectory.Create("metricacrm-private-");

    public void Dispose() => Directory.Delete(_dir, true);

    // The net472 build is Windows PowerShell's, which runs on Windows only (the profile's ACL applies, see
    // PrivateFiles); under Mono it sets no Unix modes, so these checks are the net8.0 build's.
#if NET
    private static bool IsUnix => !OperatingSystem.IsWindows();

    private static string Mode(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);
#else
    private static bool IsUnix => false;

    private static string Mode(string path) => path;
#endif

    [Fact]
    public void The_journal_its_folders_and_a_reject_file_are_created_for_the_owner_only()
    {
        if (!IsUnix) return; // Windows: the profile's ACL (PrivateFiles' summary)
        var journalPath = Path.Combine(_dir, "new", "nested", "journal.db");
        using (var journal = UploadJournal.Open(journalPath)) { }
        Assert.Equal("700", Mode(Path.Combine(_dir, "new")));
        Assert.Equal("700", Mode(Path.Combine(_dir, "new", "nested")));
        Assert.Equal("600", Mode(journalPath));
        foreach (var side in Directory.GetFiles(Path.Combine(_dir, "new", "nested"), "journal.db-*"))
            Assert.Equal("600", Mode(side));

        var rejects = Path.Combine(_dir, "rejects.csv");
        using (var file = new RejectFile(rejects)) { }
        Assert.Equal("600", Mode(rejects));
    }

    [Fact]
    public void A_folder_that_already_exists_keeps_its_mode()
    {
        if (!IsUnix) return;
        PrivateFiles.CreateDirectory(_dir); // exists already: a shared folder must not be changed
        Assert.NotEqual("700", Mode(_dir));
    }
}
