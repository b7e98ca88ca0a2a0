using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;

// dotnet run -c Release --project tests/MetricaCrm.Benchmarks                      # the table: import and send, 100k and 1M rows
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 1000000 --scenario import
//     import in stages (read+normalise, + status mapping, + writing upload files), UTF-8 and Windows-1251, the engine
//     without PowerShell, and the ratios: a raw CsvHelper read+write and the plain PowerShell script (PlainImport.ps1)
//     over the same data, and the module's import time
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 5000000 --scenario import-utf8   # one measurement of the group
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 1000000 --scenario journal   # the upload journal alone
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 1000000 --scenario orders        # detailed orders (data/orders/csv)
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 1000000 --scenario conversions   # offline conversions
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 1000000 --scenario contacts      # contacts (Import-CrmClient | Send-MetricaContact)
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 5000000 --scenario sandbox-store # the sandbox alone: µs per row, memory holding the orders
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --scenario daily [--history 5000000]  # the daily run: 10,000 changed of 150,000, journal of 5M
// Profiling one measurement: write its file with --child generate --rows N [--encoding windows-1251], then
//   dotnet-trace collect --profile dotnet-sampled-thread-time --format speedscope -- dotnet bin/Release/net10.0/MetricaCrm.Benchmarks.dll --child import-utf8 --rows N --file <file>
// Each measurement runs in a child process so that its peak working set is its own; allocations are all threads'
// (GC.GetTotalAllocatedBytes) during the measured pipeline. The data's shape: OrderData.cs.
var opts = args.Select((a, i) => (a, i)).ToDictionary(x => x.a, x => x.i);
string? Arg(string name) => opts.TryGetValue(name, out var i) && i + 1 < args.Length ? args[i + 1] : null;

if (Arg("--child") is string scenario)
    return scenario switch
    {
        "journal" => JournalBench.Run(long.Parse(Arg("--rows")!)),
        "sandbox-store" => SandboxStoreBench.Run(long.Parse(Arg("--rows")!)),
        "csvhelper" => RawCsvBench.Run(long.Parse(Arg("--rows")!), Arg("--file")!, Arg("--encoding")!),
        "load" => Bench.RunLoad(),
        "daily-history" => DailyRunBench.WriteHistory(long.Parse(Arg("--rows")!), Arg("--journal")!),
        "daily-send" => Bench.RunDailySend(Arg("--file")!, Arg("--api")!, Arg("--journal")!),
        // For profiling a child by hand: writes the orders file it reads (--encoding utf-8 or windows-1251).
        "generate" => Console.Out.WriteLineAsync(OrderData.Generate(long.Parse(Arg("--rows")!),
            Arg("--encoding") == "windows-1251" ? EncodingWindows1251() : new UTF8Encoding(false), "orders-kept-" + (Arg("--encoding") ?? "utf-8"))).ContinueWith(_ => 0).Result,
        _ => Bench.RunChild(scenario, long.Parse(Arg("--rows")!), Arg("--file")!, Arg("--api"), opts.ContainsKey("--no-journal")),
    };

// out/MetricaCrm holds whichever configuration was built last: say which one is measured.
var moduleDll = Path.Combine(Path.GetDirectoryName(MetricaCrm.Shell.PowerShellHost.FindModule())!, "MetricaCrm.dll");
var configuration = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyConfigurationAttribute>(
    System.Reflection.Assembly.LoadFile(moduleDll))?.Configuration;
Console.WriteLine($"module: {moduleDll} ({configuration} build){(configuration == "Release" ? "" : "  WARNING: not a Release build")}");
Bench.NoJournal = opts.ContainsKey("--no-journal");
var sizes = Arg("--rows") is string r ? new[] { long.Parse(r) } : new long[] { 100_000, 1_000_000 };
var scenarios = Arg("--scenario") is string sc ? sc.Split(',') : new[] { "import-utf8", "send" };
if (scenarios.Contains("import")) scenarios = scenarios.Where(s => s != "import").Concat(Bench.ImportGroup).ToArray();
Console.WriteLine(Bench.TableHeader);
// The daily run has its own sizes (DailyRunBench): it runs once, whatever --rows says.
if (scenarios.Contains("daily"))
{
    Bench.RunDaily(Arg("--history") is string h ? long.Parse(h) : 5_000_000);
    scenarios = scenarios.Where(s => s != "daily").ToArray();
    if (scenarios.Length == 0) return 0;
}
foreach (var size in sizes)
{
    var files = new Dictionary<string, string>();
    var results = new Dictionary<string, Bench.Result>();
    try
    {
        foreach (var s in scenarios)
        {
            if (s == "load") { Bench.RunParent(s, 0, "", results); continue; }
            string shape = s switch { "conversions" => "conversions", "contacts" => "contacts", "journal" or "sandbox-store" => "", "import-1251" => "orders-1251", "script" => "orders-script", _ => "orders" };
            if (shape.Length > 0 && !files.ContainsKey(shape))
                files[shape] = shape switch
                {
                    "conversions" => Bench.GenerateConversions(size),
                    "contacts" => OrderData.GenerateContacts(size),
                    "orders-1251" => OrderData.Generate(size, EncodingWindows1251(), "orders-1251"),
                    // The script is some 50 times slower: its rate is measured on at most 200,000 rows of the same data.
                    "orders-script" => OrderData.Generate(Math.Min(size, Bench.ScriptRows), new UTF8Encoding(false), "orders-script"),
                    _ => OrderData.Generate(size, new UTF8Encoding(false), "orders"),
                };
            Bench.RunParent(s, s == "script" ? Math.Min(size, Bench.ScriptRows) : size, shape.Length > 0 ? files[shape] : "", results);
        }
    }
    finally { foreach (var f in files.Values) File.Delete(f); }
    Bench.PrintStagesAndRatios(results);
}
return 0;

static Encoding EncodingWindows1251()
{
    Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    return Encoding.GetEncoding(1251);
}

static class Bench
{
    /// <summary>Set from --no-journal: the Send cmdlets run with -NoJournal.</summary>
    public static bool NoJournal { get; set; }

    /// <summary>Shop sales: a ClientID, the sandbox's JS goal, a time within the last 20 days, a price.</summary>
    public static string GenerateConversions(long rows)
    {
        var path = Path.Combine(Path.GetTempPath(), $"metricacrm-bench-conversions-{rows}.csv");
        var rnd = new Random(42);
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.Write("ClientID;Цель;Дата и время;Сумма;Валюта\n");
        for (long i = 1; i <= rows; i++)
            w.Write($"{1_000_000_000_000_000_000L + i};order_confirmed;{now - 3600 - rnd.Next(0, 20 * 86400)};{rnd.Next(100, 99999)},{rnd.Next(0, 99):D2};RUB\n");
        return path;
    }

    /// <summary>What --scenario import runs: the import in stages, its encodings, the engine alone, the ratios, the module's load time.</summary>
    public static readonly string[] ImportGroup = { "import-utf8", "import-1251", "engine", "convert", "write", "csvhelper", "script", "load" };
    public const long ScriptRows = 200_000;

    public const string TableHeader = "scenario           rows  seconds     rows/s  cpu s  peak MB  alloc B/row  note";

    /// <summary>One child's measurement.</summary>
    public sealed record Result(string Scenario, long Rows, double Seconds, double PeakMb, double BytesPerRow, string Note, double CpuSeconds = 0)
    {
        public double RowsPerSecond => Rows / Seconds;
        public double MicrosecondsPerRow => Seconds * 1e6 / Rows;
        /// <summary>Processor time of the whole process (all threads) per row: steadier than wall time on a shared machine.</summary>
        public double CpuMicrosecondsPerRow => CpuSeconds * 1e6 / Rows;

        /// <summary>The line a child prints for its parent.</summary>
        public string ToLine() => string.Join("|", "RESULT", Scenario, Rows.ToString(CultureInfo.InvariantCulture), Seconds.ToString("R", CultureInfo.InvariantCulture),
            PeakMb.ToString("R", CultureInfo.InvariantCulture), BytesPerRow.ToString("R", CultureInfo.InvariantCulture),
            CpuSeconds.ToString("R", CultureInfo.InvariantCulture), Note);

        public static Result? Parse(string line)
        {
            var p = line.Split('|');
            if (p.Length < 8 || p[0] != "RESULT") return null;
            return new Result(p[1], long.Parse(p[2], CultureInfo.InvariantCulture), double.Parse(p[3], CultureInfo.InvariantCulture),
                double.Parse(p[4], CultureInfo.InvariantCulture), double.Parse(p[5], CultureInfo.InvariantCulture), string.Join("|", p.Skip(7)),
                double.Parse(p[6], CultureInfo.InvariantCulture));
        }

        public override string ToString() =>
            $"{Scenario,-12} {Rows,10:N0} {Seconds,8:F2} {RowsPerSecond,10:N0} {CpuSeconds,8:F2} {PeakMb,8:F0} {BytesPerRow,12:N0}  {Note}";

        /// <summary>Measures an action: wall and processor time, and bytes allocated by every thread meanwhile.</summary>
        public static Result Measure(string scenario, long rows, Func<string> run)
        {
            var process = Process.GetCurrentProcess();
            long allocated = GC.GetTotalAllocatedBytes(true);
            var cpu = process.TotalProcessorTime;
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            var pause = GC.GetTotalPauseDuration();
            var sw = Stopwatch.StartNew();
            string note = run();
            note = (note.Length > 0 ? note + "; " : "") + $"GCs gen0/1/2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, " +
                $"paused {(GC.GetTotalPauseDuration() - pause).TotalSeconds:F1} s";
            sw.Stop();
            allocated = GC.GetTotalAllocatedBytes(true) - allocated;
            process.Refresh();
            return new Result(scenario, rows, sw.Elapsed.TotalSeconds, process.PeakWorkingSet64 / (1024.0 * 1024.0), (double)allocated / rows, note,
                (process.TotalProcessorTime - cpu).TotalSeconds);
        }
    }

    /// <summary>Starts the child process of one measurement (the same program with --child) and collects its lines.</summary>
    internal static IEnumerable<string> Child(string scenario, long rows, string file, string? api, params string[] extra)
    {
        var self = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (self.EndsWith("dotnet", StringComparison.Ordinal)) psi.ArgumentList.Add(typeof(Bench).Assembly.Location);
        foreach (var a in new[] { "--child", scenario, "--rows", rows.ToString(CultureInfo.InvariantCulture), "--file", file }.Concat(extra)) psi.ArgumentList.Add(a);
        if (api != null) { psi.ArgumentList.Add("--api"); psi.ArgumentList.Add(api); }
        if (NoJournal) psi.ArgumentList.Add("--no-journal");
        if (scenario == "sandbox-store") SandboxGcSettings(psi);
        using var child = Process.Start(psi)!;
        var lines = child.StandardOutput.ReadToEnd().TrimEnd().Split('\n');
        child.WaitForExit();
        return lines;
    }

    /// <summary>
    /// sandbox-store hosts the sandbox in the benchmark's process: give that process the GC settings of the sandbox's
    /// own runtimeconfig (workstation GC, ConserveMemory), so its memory is the sandbox's as users run it.
    /// </summary>
    private static void SandboxGcSettings(ProcessStartInfo psi)
    {
        var config = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "MetricaCrm.Sandbox.runtimeconfig.json")));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        if (properties.TryGetProperty("System.GC.Server", out var server)) psi.Environment["DOTNET_gcServer"] = server.GetBoolean() ? "1" : "0";
        if (properties.TryGetProperty("System.GC.ConserveMemory", out var conserve)) psi.Environment["DOTNET_GCConserveMemory"] = conserve.ToString();
    }

    /// <summary>The daily run (DailyRunBench) against a sandbox started beside it.</summary>
    public static void RunDaily(long history)
    {
        int port = FreePort();
        var api = $"http://127.0.0.1:{port}/";
        var dll = Path.Combine(AppContext.BaseDirectory, "MetricaCrm.Sandbox.dll");
        using var sandbox = Process.Start(new ProcessStartInfo("dotnet", $"\"{dll}\" --urls {api}") { RedirectStandardOutput = true, UseShellExecute = false })!;
        sandbox.StandardOutput.ReadLine(); // "listening on ..."
        try { DailyRunBench.RunParent(history, (s, rows, file, a, extra) => Child(s, rows, file, a, extra), api); }
        finally { sandbox.Kill(); sandbox.WaitForExit(); }
    }

    /// <summary>
    /// One daily send as a scheduled task runs it, measured from this process's start: a runspace, Import-Module, then
    /// Import-CrmOrder | Convert-MetricaStatus | Send-MetricaConversion with the journal given.
    /// </summary>
    public static int RunDailySend(string file, string api, string journal)
    {
        Environment.SetEnvironmentVariable("METRICA_JOURNAL", journal);
        var started = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        Runspace? rs = null;
        string summary = "";
        var result = Result.Measure("daily", DailyRunBench.ExportRows, () =>
        {
            rs = MetricaCrm.Shell.PowerShellHost.OpenRunspace();
            using var ps = PowerShell.Create();
            ps.Runspace = rs;
            var token = new System.Security.SecureString();
            foreach (var c in "sandbox-token") token.AppendChar(c);
            rs.SessionStateProxy.SetVariable("file", file);
            rs.SessionStateProxy.SetVariable("api", api);
            rs.SessionStateProxy.SetVariable("token", token);
            ps.AddScript("Import-CrmOrder $file -TimeZone 'Europe/Moscow' -ErrorAction SilentlyContinue | Convert-MetricaStatus -Map " + OrderData.StatusMap +
                " | Send-MetricaConversion -CounterId 1 -ApiBaseUri $api -Token $token | Out-Null");
            ps.Invoke();
            var errors = ps.Streams.Error.Take(3).Select(e => e.ToString()).ToList();
            summary = ps.Streams.Information.Select(i => i.MessageData).LastOrDefault(m => m?.GetType().Name == "UploadSummary")?.ToString() ?? "no summary";
            return errors.Count > 0 ? "errors: " + string.Join("; ", errors) : summary;
        });
        var sinceStart = DateTime.UtcNow - started;
        rs?.Dispose();
        Console.WriteLine((result with { Note = result.Note + $"; {sinceStart.TotalSeconds:F2} s since the process started" }).ToLine());
        return 0;
    }

    public static void RunParent(string scenario, long rows, string file, Dictionary<string, Result> results)
    {
        Process? sandbox = null;
        string? api = null;
        double sandboxStartCpu = 0;
        try
        {
            if (scenario is "send" or "orders" or "conversions" or "contacts")
            {
                int port = FreePort();
                api = $"http://127.0.0.1:{port}/";
                var dll = Path.Combine(AppContext.BaseDirectory, "MetricaCrm.Sandbox.dll");
                sandbox = Process.Start(new ProcessStartInfo("dotnet", $"\"{dll}\" --urls {api}") { RedirectStandardOutput = true, UseShellExecute = false })!;
                sandbox.StandardOutput.ReadLine(); // "listening on ..."
                sandboxStartCpu = sandbox.TotalProcessorTime.TotalSeconds;
            }
            var extra = scenario == "csvhelper" ? new[] { "--encoding", "utf-8" } : Array.Empty<string>();
            foreach (var line in Child(scenario, rows, file, api, extra))
            {
                var result = Result.Parse(line);
                if (result == null) { Console.WriteLine(line); continue; }
                if (sandbox != null)
                {
                    // The sandbox's share: its processor time for the uploads against the pipeline's wall time.
                    sandbox.Refresh();
                    double cpu = sandbox.TotalProcessorTime.TotalSeconds - sandboxStartCpu;
                    result = result with { Note = result.Note + $"; sandbox cpu {cpu:F1} s = {cpu / result.Seconds:P0} of the wall time, peak {sandbox.PeakWorkingSet64 / (1024.0 * 1024.0):F0} MB" };
                }
                results[result.Scenario] = result;
                Console.WriteLine(result);
            }
        }
        finally
        {
            if (sandbox != null) { sandbox.Kill(); sandbox.WaitForExit(); }
        }
    }

    /// <summary>Per stage, what each pipeline adds to the one before it; then the module against the raw CsvHelper and the plain script.</summary>
    public static void PrintStagesAndRatios(Dictionary<string, Result> results)
    {
        var stages = new[]
        {
            ("read+normalise (Import-CrmOrder | Out-Null)", "import-utf8", (string?)null),
            ("  of which the engine (CsvRecordFile, no PowerShell)", "engine", null),
            ("  of which PowerShell (WriteObject, the error records)", "import-utf8", "engine"),
            ("status mapping (| Convert-MetricaStatus)", "convert", "import-utf8"),
            ("writing upload files (| Send-MetricaConversion -WhatIf)", "write", "convert"),
        };
        if (stages.Any(s => results.ContainsKey(s.Item2)))
        {
            Console.WriteLine();
            Console.WriteLine($"{"stage",-62} {"µs/row",8} {"cpu µs",8} {"B/row",8}");
            foreach (var (label, scenario, minus) in stages)
            {
                if (!results.TryGetValue(scenario, out var r)) continue;
                Result? m = null;
                if (minus != null && !results.TryGetValue(minus, out m)) continue;
                Console.WriteLine($"{label,-62} {r.MicrosecondsPerRow - (m?.MicrosecondsPerRow ?? 0),8:F2} {r.CpuMicrosecondsPerRow - (m?.CpuMicrosecondsPerRow ?? 0),8:F2} {r.BytesPerRow - (m?.BytesPerRow ?? 0),8:N0}");
            }
        }
        if (results.TryGetValue("import-utf8", out var import))
        {
            if (results.TryGetValue("csvhelper", out var raw))
                Console.WriteLine($"ratio: raw CsvHelper read+write is {raw.RowsPerSecond / import.RowsPerSecond:F1}x the module's import");
            if (results.TryGetValue("script", out var script))
            {
                Console.WriteLine($"ratio: the module's import is {import.RowsPerSecond / script.RowsPerSecond:F1}x the plain PowerShell script");
                if (results.TryGetValue("convert", out var convert))
                    Console.WriteLine($"ratio: the module's Import | Convert is {convert.RowsPerSecond / script.RowsPerSecond:F1}x the plain PowerShell script (which also maps statuses)");
            }
        }
    }

    /// <summary>
    /// The cost a scheduled task pays before its first row: a runspace with the core cmdlets, then Import-Module of the
    /// built manifest, in this fresh process (each figure in milliseconds, in the seconds column).
    /// </summary>
    public static int RunLoad()
    {
        var psd1 = MetricaCrm.Shell.PowerShellHost.FindModule();
        var sw = Stopwatch.StartNew();
        using var rs = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        rs.Open();
        using (var warm = PowerShell.Create()) { warm.Runspace = rs; warm.AddScript("$null = 1").Invoke(); }
        var bare = sw.Elapsed;
        sw.Restart();
        using var ps = PowerShell.Create();
        ps.Runspace = rs;
        ps.AddCommand("Import-Module").AddArgument(psd1).Invoke();
        var module = sw.Elapsed;
        if (ps.HadErrors) { Console.WriteLine($"load: errors: {string.Join("; ", ps.Streams.Error.Select(e => e.ToString()))}"); return 1; }
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        Console.WriteLine(new Result("load", 1, module.TotalSeconds, peak, 0,
            $"Import-Module {module.TotalMilliseconds:F0} ms above a bare runspace ({bare.TotalMilliseconds:F0} ms)").ToLine());
        return 0;
    }

    public static int RunChild(string scenario, long rows, string file, string? api, bool noJournal)
    {
        if (scenario == "engine") return EngineBench.Run(rows, file);
        // The Send cmdlets keep an upload journal: a fresh one per measurement (its cost is part of the figure), or
        // none with --no-journal, to see that cost.
        var journal = Path.Combine(Path.GetTempPath(), $"metricacrm-bench-journal-{Guid.NewGuid():N}.db");
        Environment.SetEnvironmentVariable("METRICA_JOURNAL", journal);
        using var rs = scenario == "script"
            ? RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2())
            : MetricaCrm.Shell.PowerShellHost.OpenRunspace();
        if (scenario == "script") rs.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = rs;
        rs.SessionStateProxy.SetVariable("file", file);
        rs.SessionStateProxy.SetVariable("api", api);
        var token = new System.Security.SecureString();
        foreach (var c in "sandbox-token") token.AppendChar(c);
        rs.SessionStateProxy.SetVariable("token", token);
        // Rejected rows are error records, and rows with a bad phone or e-mail beside a good one warnings (their cost is
        // part of the figure); neither is collected, so memory stays flat.
        const string import = "Import-CrmOrder $file -TimeZone 'Europe/Moscow' -ErrorAction SilentlyContinue -WarningAction SilentlyContinue";
        const string convert = " | Convert-MetricaStatus -Map " + OrderData.StatusMap;
        var script = scenario switch
        {
            "import-utf8" or "import-1251" => import + " | Out-Null",
            "convert" => import + convert + " | Out-Null",
            // -WhatIf writes every batch file and sends none (no request is made).
            "write" => import + convert + " | Send-MetricaConversion -CounterId 1 -ApiBaseUri 'http://127.0.0.1:9/' -Token $token -WhatIf | Out-Null",
            "send" => import + convert + " | Send-MetricaConversion -CounterId 1 -ApiBaseUri $api -Token $token | Out-Null",
            "orders" => import + convert + " | Send-MetricaOrder -CounterId 1 -ApiBaseUri $api -Token $token | Out-Null",
            "contacts" => "Import-CrmClient $file -TimeZone 'Europe/Moscow' -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Send-MetricaContact -CounterId 1 -ApiBaseUri $api -Token $token | Out-Null",
            "conversions" => "Import-CrmConversion $file -TimeZone 'Europe/Moscow' | Send-MetricaOfflineConversion -CounterId 1 -ApiBaseUri $api -Token $token | Out-Null",
            "script" => $"& '{Path.Combine(AppContext.BaseDirectory, "PlainImport.ps1")}' -Path $file | Out-Null",
            _ => throw new ArgumentException(scenario),
        };
        ps.AddScript(noJournal ? script.Replace("-Token $token", "-Token $token -NoJournal") : script);
        var result = Result.Measure(scenario, rows, () =>
        {
            ps.Invoke();
            return ps.Streams.Information.Select(i => i.MessageData).FirstOrDefault(m => m?.GetType().Name == "ImportSummary")?.ToString() ?? "";
        });
        // -ErrorAction SilentlyContinue sets HadErrors for the rejected rows without writing them: only errors written count.
        if (ps.Streams.Error.Count > 0)
        {
            Console.WriteLine($"{scenario}: errors: {string.Join("; ", ps.Streams.Error.Take(3).Select(e => e.ToString()))}");
            return 1;
        }
        Console.WriteLine(result.ToLine());
        foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(journal) + "*")) File.Delete(f);
        return 0;
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
