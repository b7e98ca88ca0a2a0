using System.Runtime.Loader;

namespace MetricaCrm.Module.Tests;

/// <summary>The upload journal (SQLite, with its native library) loads and works inside the module's isolation.</summary>
public sealed class JournalTests
{
    [Fact]
    public async Task Get_MetricaUploadJournal_creates_a_fresh_journal_with_SQLite_loaded_only_in_the_module_context()
    {
        await using var s = await ModuleSession.StartAsync();
        var path = Path.Combine(s.WorkDir, "state", "journal.db");
        var r = s.Run("Get-MetricaUploadJournal -JournalPath $args[0]", path);
        Assert.Null(r.Terminating);
        Assert.True(r.Errors.Count == 0, r.AllText());
        Assert.Empty(r.Output);
        Assert.True(File.Exists(path));

        var ours = AssemblyLoadContext.All.Single(c => c.Name == "MetricaCrm").Assemblies.Select(a => a.GetName().Name).ToList();
        Assert.Contains("Microsoft.Data.Sqlite", ours);
        Assert.Contains("SQLitePCLRaw.core", ours);
        Assert.Contains("SQLitePCLRaw.provider.e_sqlite3", ours);
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies,
            a => a.GetName().Name!.StartsWith("SQLitePCLRaw", StringComparison.Ordinal) || a.GetName().Name == "Microsoft.Data.Sqlite");
        if (OperatingSystem.IsLinux())
        {
            // The native library this process mapped is the module's own copy for this RID.
            var native = Path.Combine(Path.GetDirectoryName(ModuleSession.ModulePath)!, "dependencies", "core", "runtimes");
            var mapped = File.ReadAllLines("/proc/self/maps").Where(l => l.Contains("libe_sqlite3", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(mapped);
            Assert.All(mapped, l => Assert.True(l.Contains(native, StringComparison.Ordinal), l));
        }
    }

    [Fact]
    public async Task Lists_batches_newest_first_and_pending_ones_by_counter()
    {
        await using var s = await ModuleSession.StartAsync();
        var path = Path.Combine(s.WorkDir, "journal.db");
        // Seeded through the engine's own type in the module's context (this test assembly never references the engine;
        // PowerShell's type names do not reach a private load context, so the type is taken from it).
        var seed = s.Run(@"
            $null = Get-MetricaUploadJournal -JournalPath $args[0]
            $engine = [System.Runtime.Loader.AssemblyLoadContext]::All.Where({ $_.Name -eq 'MetricaCrm' })[0].Assemblies.Where({ $_.GetName().Name -eq 'MetricaCrm.Engine' })[0]
            $j = $engine.GetType('MetricaCrm.Engine.Journal.UploadJournal', $true)::Open($args[0])
            try {
                $done = $j.BeginBatch(7, 'Orders', 'Save', 'first.csv', $null, 1, $true)
                $j.CompleteBatch($done, 'U-1', 'Accepted', $null)
                $null = $j.BeginBatch(7, 'Orders', 'Append', 'second.csv', $null, 5, $false)
                $null = $j.BeginBatch(8, 'Clients', 'Save', 'clients.csv', $null, 2, $true)
            } finally { $j.Dispose() }", path);
        Assert.Null(seed.Terminating);
        Assert.True(seed.Errors.Count == 0, seed.AllText());

        var all = s.Run("Get-MetricaUploadJournal -JournalPath $args[0]", path);
        Assert.True(all.Errors.Count == 0, all.AllText());
        Assert.Equal(new[] { "clients.csv", "second.csv", "first.csv" }, all.Output.Select(o => (string)o.Properties["FilePath"].Value));

        var pending = s.Run("Get-MetricaUploadJournal -JournalPath $args[0] -CounterId 7 -Pending", path);
        Assert.Empty(pending.Errors);
        var batch = Assert.Single(pending.Output);
        Assert.Equal(("second.csv", "Pending", "Append"), ((string)batch.Properties["FilePath"].Value, batch.Properties["State"].Value.ToString(), batch.Properties["MergeMode"].Value.ToString()));

        Assert.Single(s.Run("Get-MetricaUploadJournal -JournalPath $args[0] -Kind Clients", path).Output);
        Assert.Single(s.Run("Get-MetricaUploadJournal -JournalPath $args[0] -Limit 1", path).Output);
    }
}
