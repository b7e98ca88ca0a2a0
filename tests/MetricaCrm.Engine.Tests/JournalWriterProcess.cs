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
