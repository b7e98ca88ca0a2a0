using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;

/// <summary>
/// The daily run the seeds recommend (issue 19): a 3-day export of <see cref="ExportRows"/> orders, of which
/// <see cref="ChangedRows"/> changed since yesterday, against a journal that already holds <c>--history</c> accepted
/// orders of the counter (default 5,000,000), sending only what changed. Set up in three children (yesterday's send
/// of the whole export, the older history written straight into the journal, today's file with amounts changed), then
/// measured as a fresh process: the runtime's start, a runspace, Import-Module and the pipeline, end to end.
/// </summary>
static class DailyRunBench
{
    public const long ExportRows = 150_000;
    /// <summary>Every 15th order's amount changes: 10,000 of 150,000.</summary>
    public const int ChangedEvery = 15;
    public const long ChangedRows = ExportRows / ChangedEvery;
    private const int HistoryBatch = 250_000;

    /// <summary>The parent's part: files, the sandbox, the set-up children, then the measured child's wall time.</summary>
    public static void RunParent(long history, Func<string, long, string, string?, string[], IEnumerable<string>> child, string api)
    {
        var yesterday = OrderData.Generate(ExportRows, new UTF8Encoding(false), "daily-yesterday");
        var today = Path.Combine(Path.GetTempPath(), $"metricacrm-bench-daily-today-{ExportRows}.csv");
        var journal = Path.Combine(Path.GetTempPath(), $"metricacrm-bench-daily-journal-{Guid.NewGuid():N}.db");
        try
        {
            ChangeAmounts(yesterday, today);
            var setup = Stopwatch.StartNew();
            foreach (var line in child("daily-send", ExportRows, yesterday, api, new[] { "--journal", journal })) Console.WriteLine("  yesterday: " + line);
            foreach (var line in child("daily-history", history, "", null, new[] { "--journal", journal })) Console.WriteLine("  history:   " + line);
            Console.WriteLine($"  set up in {setup.Elapsed.TotalSeconds:F0} s; journal {JournalSize(journal):F0} MB");
            var wall = Stopwatch.StartNew();
            var lines = child("daily-send", ExportRows, today, api, new[] { "--journal", journal }).ToList();
            wall.Stop();
            foreach (var line in lines)
            {
                var result = Bench.Result.Parse(line);
                Console.WriteLine(result == null ? line : (result with { Seconds = wall.Elapsed.TotalSeconds, Note = result.Note + $"; history {history:N0} accepted orders" }).ToString());
            }
        }
        finally
        {
            File.Delete(yesterday);
            File.Delete(today);
            foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(journal) + "*")) File.Delete(f);
        }
    }

    /// <summary>Today's export: yesterday's, with the amount of every <see cref="ChangedEvery"/>th order raised by one.</summary>
    private static void ChangeAmounts(string from, string to)
    {
        using var reader = new StreamReader(from, new UTF8Encoding(false));
        using var writer = new StreamWriter(to, false, new UTF8Encoding(false), 1 << 16);
        writer.Write(reader.ReadLine());
        writer.Write('\n');
        long row = 0;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            row++;
            if (row % ChangedEvery == 0)
            {
                var cells = line.Split(';');
                if (long.TryParse(cells[7].Replace(" ", "").Split(',')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var rubles))
                    cells[7] = (rubles + 1).ToString(CultureInfo.InvariantCulture);
                line = string.Join(";", cells);
            }
            writer.Write(line);
            writer.Write('\n');
        }
    }

    private static double JournalSize(string journal) =>
        Directory.GetFiles(Path.GetDirectoryName(journal)!, Path.GetFileName(journal) + "*").Sum(f => new FileInfo(f).Length) / (1024.0 * 1024.0);

    /// <summary>
    /// The older history: accepted simple orders of counter 1 with ids the export never uses, written by the engine
    /// (loaded from the built module as PowerShell 7 loads it), in batches as sends write them.
    /// </summary>
    public static int WriteHistory(long rows, string journalPath)
    {
        BuiltEngine.Load();
        return Write(rows, journalPath);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // engine types are resolved only once the context is installed
    private static int Write(long rows, string journalPath)
    {
        var sw = Stopwatch.StartNew();
        var created = DateTime.UtcNow.AddDays(-400);
        var records = new List<JournalRecord>(HistoryBatch);
        using var journal = UploadJournal.Open(journalPath);
        for (long start = 0; start < rows; start += HistoryBatch)
        {
            long count = Math.Min(HistoryBatch, rows - start);
            long batch = journal.BeginBatch(1, JournalKind.SimpleOrders, MergeMode.Save, "history.csv", null, count, true);
            records.Clear();
            for (long i = start; i < start + count; i++)
                records.Add(new JournalRecord("H-" + i, unchecked(i * -7046029254386353131L), created.AddSeconds(i % 25_000_000), "H-" + i % 200_000));
            journal.AddSentRecords(batch, records);
            journal.CompleteBatch(batch, "H-" + batch, BatchState.Accepted, null);
        }
        Console.WriteLine($"{rows:N0} accepted orders written in {sw.Elapsed.TotalSeconds:F0} s");
        return 0;
    }
}
