using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using MetricaCrm.Sandbox;

/// <summary>
/// The sandbox alone, in this process: N simple orders (each a new id) uploaded through raw HTTP as CSV in files of
/// 250,000 rows, the way the module's send uploads them. Prints the time and processor time the sandbox spent per row
/// (building each file is not counted) and, after a full GC, the managed heap and working set holding the orders.
/// </summary>
static class SandboxStoreBench
{
    public const int BatchRows = 250_000;

    public static int Run(long rows)
    {
        var server = SandboxServer.StartAsync(new SandboxOptions { DailyRequestLimit = int.MaxValue, DailyCounterRequestLimit = int.MaxValue }).GetAwaiter().GetResult();
        using var http = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("OAuth", SandboxOptions.DefaultToken);
        var process = Process.GetCurrentProcess();
        var spent = TimeSpan.Zero;
        var cpu = TimeSpan.Zero;
        long allocated = 0;
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        var paused = GC.GetTotalPauseDuration();
        // One buffer for every file: the client's own garbage would otherwise swell this process's working set.
        var file = new MemoryStream(BatchRows * 140);
        for (long first = 1; first <= rows; first += BatchRows)
        {
            Batch(file, first, Math.Min(BatchRows, rows - first + 1));
            using var form = new MultipartFormDataContent { { new ByteArrayContent(file.GetBuffer(), 0, (int)file.Length), "file", "orders.csv" } };
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            long allocBefore = GC.GetTotalAllocatedBytes(true);
            var sw = Stopwatch.StartNew();
            var response = http.PostAsync("/cdp/api/v1/counter/1/data/simple_orders?merge_mode=SAVE&delimiter_type=COMMA", form).GetAwaiter().GetResult();
            sw.Stop();
            allocated += GC.GetTotalAllocatedBytes(true) - allocBefore;
            process.Refresh();
            cpu += process.TotalProcessorTime - cpuBefore;
            spent += sw.Elapsed;
            if (!response.IsSuccessStatusCode)
            {
                Console.WriteLine($"sandbox-store: {(int)response.StatusCode} {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
                return 1;
            }
        }
        file = null!; // not part of what the sandbox holds
        string gcs = $"GCs gen0/1/2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, paused {(GC.GetTotalPauseDuration() - paused).TotalSeconds:F1} s";
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        double heapMb = GC.GetTotalMemory(false) / (1024.0 * 1024.0);
        process.Refresh();
        double workingMb = process.WorkingSet64 / (1024.0 * 1024.0);
        int stored = server.State.Counter(1).Orders.Count;
        Console.WriteLine(new Bench.Result("sandbox-store", rows, spent.TotalSeconds, process.PeakWorkingSet64 / (1024.0 * 1024.0), (double)allocated / rows,
            string.Create(CultureInfo.InvariantCulture,
                $"{stored:N0} orders stored; after a full GC: managed heap {heapMb:F0} MB, working set {workingMb:F0} MB; sandbox {spent.TotalSeconds * 1e6 / rows:F2} µs/row, cpu {cpu.TotalSeconds * 1e6 / rows:F2} µs/row; {gcs}"),
            cpu.TotalSeconds).ToLine());
        server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }

    /// <summary>Rows as the module writes them: a ClientID on half, a phone, an e-mail on four of five, goals on a fifth.</summary>
    private static void Batch(MemoryStream file, long first, long count)
    {
        file.SetLength(0);
        using var w = new StreamWriter(file, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        w.Write("id,create_date_time,client_uniq_id,client_ids,emails,phones,order_status,revenue,goals,currency\n");
        var start = new DateTime(2026, 1, 1, 0, 0, 0);
        for (long i = first; i < first + count; i++)
        {
            w.Write(100_000 + i); w.Write(',');
            w.Write(start.AddSeconds(i * 7 % 1_700_000).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)); w.Write(',');
            w.Write("К-"); w.Write(i % 200_000); w.Write(',');
            if (i % 2 == 0) w.Write(1_700_000_000_000_000_000L + i * 7919);
            w.Write(',');
            if (i % 5 != 4) { w.Write("ivan.petrov"); w.Write(i % 100_000); w.Write("@mail.ru"); }
            w.Write(',');
            w.Write(79_990_000_000L + i % 10_000_000); w.Write(',');
            w.Write((i % 4) switch { 0 => "IN_PROGRESS", 3 => "CANCELLED", _ => "PAID" }); w.Write(',');
            w.Write(i % 500_000); w.Write('.'); w.Write((i % 100).ToString("D2", CultureInfo.InvariantCulture)); w.Write(',');
            if (i % 5 == 1) w.Write("\"callback_request,order_confirmed\"");
            w.Write(",RUB\n");
        }
    }
}
