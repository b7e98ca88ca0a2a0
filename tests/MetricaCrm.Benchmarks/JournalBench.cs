using System.Diagnostics;
using System.Runtime.CompilerServices;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;

/// <summary>
/// The upload journal's cost, engine only (no PowerShell): records written in batches and accepted, then bulk and
/// single lookups, the peak working set and the file size. The engine and SQLite (managed and native) are loaded from
/// the built module's dependencies/core through its own DependencyLoadContext, as PowerShell 7 loads them. Each phase
/// is given in processor time and managed allocation per record too: wall time depends on what else the machine runs.
/// </summary>
static class JournalBench
{
    private const int BatchSize = 250_000;
    private const int SingleLookups = 100_000;
    /// <summary>Records a send looks up at once (UploadSession.LookupBlock).</summary>
    private const int LookupBlock = 500;

    public static int Run(long rows)
    {
        BuiltEngine.Load();
        return Measure(rows);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // engine types are resolved only once the context is installed
    private static int Measure(long rows)
    {
        var dir = Directory.CreateTempSubdirectory("metricacrm-journal-bench-").FullName;
        var path = Path.Combine(dir, "journal.db");
        try
        {
            var created = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            var write = Phase.Start();
            var accept = new Phase();
            var records = new List<JournalRecord>();
            using (var journal = UploadJournal.Open(path))
            {
                for (long start = 0; start < rows; start += BatchSize)
                {
                    long count = Math.Min(BatchSize, rows - start);
                    long batch = journal.BeginBatch(1, JournalKind.Orders, MergeMode.Save, "orders.csv", null, count, true);
                    // A list kept across batches, as a send gathers a batch's records.
                    records.Clear();
                    for (long i = start; i < start + count; i++)
                        records.Add(new JournalRecord("O-" + i, Mix(i), created.AddSeconds(i % 25_000_000), "C-" + i % 200_000));
                    journal.AddSentRecords(batch, records);
                    accept.Resume();
                    journal.CompleteBatch(batch, "U-" + batch, BatchState.Accepted, null);
                    accept.Stop();
                }
            }
            write.Stop();

            using var reader = UploadJournal.Open(path);
            long found = 0;
            var bulk = Phase.Start();
            // As a send looks records up: blocks of LookupBlock ids, whose strings the records already hold.
            var ids = new string[LookupBlock];
            var states = new AcceptedState[LookupBlock];
            for (long start = 0; start < rows; start += LookupBlock)
            {
                int count = (int)Math.Min(LookupBlock, rows - start);
                bulk.Stop();
                for (int i = 0; i < count; i++) ids[i] = "O-" + (start + i);
                bulk.Resume();
                reader.LastAccepted(1, JournalKind.Orders, new ArraySegment<string>(ids, 0, count), states);
                for (int i = 0; i < count; i++) if (states[i].Found) found++;
            }
            bulk.Stop();
            if (found != rows) throw new InvalidOperationException($"Bulk lookup found {found} of {rows} records.");

            long singles = Math.Min(SingleLookups, rows);
            var single = Phase.Start();
            for (long i = 0; i < singles; i++)
                if (reader.LastAccepted(1, JournalKind.Orders, "O-" + i * (rows / singles)) == null) throw new InvalidOperationException("A single lookup missed.");
            single.Stop();

            var perClient = Stopwatch.StartNew();
            long clientRows = reader.CountAcceptedForClient(1, JournalKind.Orders, "C-17");
            perClient.Stop();
            reader.Dispose();

            double peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
            double sizeMb = Directory.GetFiles(dir).Sum(f => new FileInfo(f).Length) / (1024.0 * 1024.0);
            Console.WriteLine($"journal  {rows,10:N0} records in batches of {BatchSize:N0}: write+accept {write.PerRecord(rows)} ({write.Wall.Elapsed.TotalSeconds:F1} s), of which accepting {accept.PerRecord(rows)}");
            Console.WriteLine($"journal  bulk lookup {bulk.PerRecord(rows)}; single lookup {single.PerRecord(singles)} ({singles:N0}); per-client count {perClient.Elapsed.TotalMilliseconds:F2} ms ({clientRows} records)");
            Console.WriteLine($"journal  write+accept+bulk lookup {(write.Cpu + bulk.Cpu).TotalMilliseconds * 1000 / rows:F2} µs cpu/record, {(double)(write.Allocated + bulk.Allocated) / rows:F0} B/record");
            Console.WriteLine($"journal  peak {peak:F0} MB; file {sizeMb:F1} MB = {sizeMb * 1_000_000 / rows:F1} MB per million records");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>A stand-in fingerprint (SplitMix64), so that the journal is measured, not SHA-256.</summary>
    private static long Mix(long i)
    {
        ulong z = (ulong)i + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (long)(z ^ (z >> 31));
    }

    /// <summary>Wall time, the process's processor time and this thread's allocations over one phase (Start/Stop may repeat).</summary>
    private sealed class Phase
    {
        public readonly Stopwatch Wall = new Stopwatch();
        public TimeSpan Cpu;
        public long Allocated;
        private TimeSpan _cpuAt;
        private long _allocatedAt;

        public static Phase Start()
        {
            var phase = new Phase();
            phase.Resume();
            return phase;
        }

        public void Resume()
        {
            _cpuAt = Process.GetCurrentProcess().TotalProcessorTime;
            _allocatedAt = GC.GetAllocatedBytesForCurrentThread();
            Wall.Start();
        }

        public void Stop()
        {
            Wall.Stop();
            Cpu += Process.GetCurrentProcess().TotalProcessorTime - _cpuAt;
            Allocated += GC.GetAllocatedBytesForCurrentThread() - _allocatedAt;
        }

        public string PerRecord(long n) =>
            $"{Wall.Elapsed.TotalMilliseconds * 1000 / n:F2} µs/record (cpu {Cpu.TotalMilliseconds * 1000 / n:F2} µs, {(double)Allocated / n:F0} B)";
    }
}
