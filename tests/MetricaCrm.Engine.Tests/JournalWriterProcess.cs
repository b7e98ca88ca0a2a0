using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Tests;

/// <summary>
/// The test assembly's entry point (the test SDK's generated one is turned off), so that the crash test can run this
/// assembly as a child process that writes the journal until it is killed. Under the test runner it is never called.
/// </summary>
public static class JournalWriterProcess
{
    public const int RecordsPerBatch = 1000;

    /// <summary>
    /// Starts this assembly as the journal writer, the way its runtime runs it: `dotnet MetricaCrm.Engine.Tests.dll`
    /// on .NET, `mono MetricaCrm.Engine.Tests.exe` under Mono (the net472 build is an exe), the exe itself on .NET Framework.
    /// </summary>
    public static System.Diagnostics.Process Start(string journalPath)
    {
        string assembly = typeof(JournalWriterProcess).Assembly.Location;
#if NETFRAMEWORK
        bool mono = Type.GetType("Mono.Runtime") != null;
        // Mono's own binary (mono-sgen), so the child runs on the runtime the tests run on, not whatever `mono` PATH finds.
        string host = mono ? System.Diagnostics.Process.GetCurrentProcess().MainModule!.FileName : assembly;
        var arguments = (mono ? new[] { assembly } : new string[0]).Concat(new[] { "journal-writer", journalPath });
        var psi = new System.Diagnostics.ProcessStartInfo(host, string.Join(" ", arguments.Select(a => "\"" + a + "\"")));
#else
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet");
        foreach (var a in new[] { assembly, "journal-writer", journalPath }) psi.ArgumentList.Add(a);
#endif
        psi.RedirectStandardOutput = true;
        psi.UseShellExecute = false;
        return System.Diagnostics.Process.Start(psi)!;
    }

    /// <summary>SIGKILL / TerminateProcess: no finally block, no SQLite close runs in the child.</summary>
    public static void Kill(System.Diagnostics.Process child)
    {
#if NETFRAMEWORK
        child.Kill(); // the writer starts no processes of its own, so the tree is the child alone
#else
        child.Kill(entireProcessTree: true);
#endif
    }

    public static int Main(string[] args)
    {
        if (args.Length != 2 || args[0] != "journal-writer") return 2;
        using var journal = UploadJournal.Open(args[1]);
        for (int n = 0; ; n++)
        {
            long batch = journal.BeginBatch(1, JournalKind.Orders, MergeMode.Save, null, null, RecordsPerBatch, true);
            journal.AddSentRecords(batch, Enumerable.Range(0, RecordsPerBatch).Select(i => new JournalRecord($"B{batch}-{i}", i)));
            journal.CompleteBatch(batch, "U-" + batch, BatchState.Accepted, null);
            Console.WriteLine(batch); // committed before it is announced
        }
    }
}
