using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;

// dotnet run -c Release --project tests/MetricaCrm.Benchmarks                      # the table: import and send, 100k and 1M rows
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 5000000 --scenario import
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 1000000 --scenario journal   # the upload journal alone
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 1000000 --scenario orders        # detailed orders (data/orders/csv)
// dotnet run -c Release --project tests/MetricaCrm.Benchmarks -- --rows 1000000 --scenario conversions   # offline conversions
// Each measurement runs in a child process so that its peak working set is its own.
var opts = args.Select((a, i) => (a, i)).ToDictionary(x => x.a, x => x.i);
string? Arg(string name) => opts.TryGetValue(name, out var i) && i + 1 < args.Length ? args[i + 1] : null;

if (Arg("--child") is string scenario)
    return scenario == "journal" ? JournalBench.Run(long.Parse(Arg("--rows")!)) : Bench.RunChild(scenario, long.Parse(Arg("--rows")!), Arg("--file")!, Arg("--api"), opts.ContainsKey("--no-journal"));

// out/MetricaCrm holds whichever configuration was built last: say which one is measured.
var moduleDll = Path.Combine(Path.GetDirectoryName(MetricaCrm.Shell.PowerShellHost.FindModule())!, "MetricaCrm.dll");
var configuration = System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyConfigurationAttribute>(
    System.Reflection.Assembly.LoadFile(moduleDll))?.Configuration;
Console.WriteLine($"module: {moduleDll} ({configuration} build){(configuration == "Release" ? "" : "  WARNING: not a Release build")}");
Bench.NoJournal = opts.ContainsKey("--no-journal");
var sizes = Arg("--rows") is string r ? new[] { long.Parse(r) } : new long[] { 100_000, 1_000_000 };
var scenarios = Arg("--scenario") is string sc ? new[] { sc } : new[] { "import", "send" };
Console.WriteLine($"{"scenario",-11} {"rows",10} {"seconds",8} {"rows/s",10} {"peak MB",8}");
foreach (var size in sizes)
{
    var files = new Dictionary<string, string>();
    try
    {
        foreach (var s in scenarios)
        {
            string shape = s == "conversions" ? "conversions" : s == "journal" ? "" : "orders";
            if (shape.Length > 0 && !files.ContainsKey(shape)) files[shape] = shape == "conversions" ? Bench.GenerateConversions(size) : Bench.Generate(size);
            Bench.RunParent(s, size, shape.Length > 0 ? files[shape] : "");
        }
    }
    finally { foreach (var f in files.Values) File.Delete(f); }
}
return 0;

static class Bench
{
    /// <summary>Set from --no-journal: the Send cmdlets run with -NoJournal.</summary>
    public static bool NoJournal { get; set; }

    public static string Generate(long rows)
    {
        var path = Path.Combine(Path.GetTempPath(), $"metricacrm-bench-{rows}.csv");
        var statuses = new[] { "new", "paid", "cancelled", "paid" };
        var start = new DateTime(2026, 1, 1);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.Write("id,create_date_time,client_uniq_id,emails,phones,order_status,revenue,currency\n");
        var rnd = new Random(42);
        for (long i = 1; i <= rows; i++)
        {
            var created = start.AddSeconds(i % 25_000_000);
            w.Write($"O-{i},{created:dd.MM.yyyy HH:mm:ss},C-{i % 200_000},User{i}@Example.RU,+7 (9{rnd.Next(10, 99)}) {rnd.Next(100, 999)}-{rnd.Next(10, 99)}-{rnd.Next(10, 99)},{statuses[i % 4]},{rnd.Next(100, 99999)}.{rnd.Next(0, 99):D2},RUB\n");
        }
        return path;
    }

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

    public static void RunParent(string scenario, long rows, string file)
    {
        Process? sandbox = null;
        string? api = null;
        try
        {
            if (scenario is "send" or "orders" or "conversions")
            {
                int port = FreePort();
                api = $"http://127.0.0.1:{port}/";
                var dll = Path.Combine(AppContext.BaseDirectory, "MetricaCrm.Sandbox.dll");
                sandbox = Process.Start(new ProcessStartInfo("dotnet", $"\"{dll}\" --urls {api}") { RedirectStandardOutput = true, UseShellExecute = false })!;
                sandbox.StandardOutput.ReadLine(); // "listening on ..."
            }
            var self = Environment.ProcessPath!;
            var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
            if (self.EndsWith("dotnet", StringComparison.Ordinal)) psi.ArgumentList.Add(typeof(Bench).Assembly.Location);
            foreach (var a in new[] { "--child", scenario, "--rows", rows.ToString(CultureInfo.InvariantCulture), "--file", file }) psi.ArgumentList.Add(a);
            if (api != null) { psi.ArgumentList.Add("--api"); psi.ArgumentList.Add(api); }
            if (NoJournal) psi.ArgumentList.Add("--no-journal");
            using var child = Process.Start(psi)!;
            Console.WriteLine(child.StandardOutput.ReadToEnd().TrimEnd());
            child.WaitForExit();
        }
        finally
        {
            if (sandbox != null) { sandbox.Kill(); sandbox.WaitForExit(); }
        }
    }

    public static int RunChild(string scenario, long rows, string file, string? api, bool noJournal)
    {
        // The Send cmdlets keep an upload journal: a fresh one per measurement (its cost is part of the figure), or
        // none with --no-journal, to see that cost.
        var journal = Path.Combine(Path.GetTempPath(), $"metricacrm-bench-journal-{Guid.NewGuid():N}.db");
        Environment.SetEnvironmentVariable("METRICA_JOURNAL", journal);
        using var rs = MetricaCrm.Shell.PowerShellHost.OpenRunspace();
        using var ps = PowerShell.Create();
        ps.Runspace = rs;
        rs.SessionStateProxy.SetVariable("file", file);
        rs.SessionStateProxy.SetVariable("api", api);
        var script = scenario switch
        {
            "import" => "Import-CrmOrder $file -TimeZone 'Europe/Moscow' | Out-Null",
            "send" => "$t = ConvertTo-SecureString 'sandbox-token' -AsPlainText -Force 2>$null; " +
                      "Import-CrmOrder $file -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map @{ new = 'IN_PROGRESS'; paid = 'PAID'; cancelled = 'CANCELLED' } | " +
                      "Send-MetricaConversion -CounterId 1 -ApiBaseUri $api -Token $token | Out-Null",
            "orders" => "Import-CrmOrder $file -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map @{ new = 'IN_PROGRESS'; paid = 'PAID'; cancelled = 'CANCELLED' } | " +
                        "Send-MetricaOrder -CounterId 1 -ApiBaseUri $api -Token $token | Out-Null",
            "conversions" => "Import-CrmConversion $file -TimeZone 'Europe/Moscow' | Send-MetricaOfflineConversion -CounterId 1 -ApiBaseUri $api -Token $token | Out-Null",
            _ => throw new ArgumentException(scenario),
        };
        var token = new System.Security.SecureString();
        foreach (var c in "sandbox-token") token.AppendChar(c);
        rs.SessionStateProxy.SetVariable("token", token);
        script = script.Replace("$t = ConvertTo-SecureString 'sandbox-token' -AsPlainText -Force 2>$null; ", "");
        ps.AddScript(noJournal ? script.Replace("-Token $token", "-Token $token -NoJournal") : script);
        var sw = Stopwatch.StartNew();
        ps.Invoke();
        sw.Stop();
        if (ps.HadErrors)
        {
            Console.WriteLine($"{scenario}: errors: {string.Join("; ", ps.Streams.Error.Take(3).Select(e => e.ToString()))}");
            return 1;
        }
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
        Console.WriteLine($"{scenario,-11} {rows,10:N0} {sw.Elapsed.TotalSeconds,8:F1} {rows / sw.Elapsed.TotalSeconds,10:N0} {peak,8:F0}");
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
