using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using MetricaCrm.Sandbox;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// Issue 8's proof: every upload kind, SAVE and APPEND, at least 50 batches each, sent by a separate PowerShell process
/// into a sandbox that fails 30% of requests in every documented way; the process is killed once in the middle and run
/// again. The sandbox must end exactly as after a clean run, no APPEND upload may be applied twice, and the summaries
/// of the run that finished must reconcile.
/// </summary>
public sealed class KillAndResumeTests
{
    private const long Counter = 4242;
    private const int RowsPerFile = 510;   // 51 batches of 10
    private const int BatchSize = 10;

    [Fact]
    public async Task Every_kind_at_a_30_percent_fault_rate_survives_a_killed_process_and_ends_as_a_clean_run()
    {
        var work = Directory.CreateTempSubdirectory("metricacrm-kill-").FullName;
        try
        {
            var script = WriteInputs(work);
            int uploadsPerRun;

            // The reference: the same script, no faults, no kill.
            SandboxSnapshot reference;
            await using (var clean = await SandboxServer.StartAsync(Options(faultRate: 0)))
            {
                var run = await RunShellAsync(clean, script, Path.Combine(work, "clean.db"), Path.Combine(work, "clean-summaries.txt"));
                Assert.True(run.ExitCode == 0, run.Output);
                reference = SandboxSnapshot.Of(clean.State.Counter(Counter));
                uploadsPerRun = clean.State.Requests.Count(IsUpload);
            }
            Assert.Equal(8 * RowsPerFile / BatchSize, uploadsPerRun);

            await using var faulty = await SandboxServer.StartAsync(Options(faultRate: 0.3));
            string journal = Path.Combine(work, "journal.db"), summaries = Path.Combine(work, "summaries.txt");
            // Killed once about half-way through its uploads: a separate process, not a cancelled pipeline.
            var killed = await RunShellAsync(faulty, script, journal, Path.Combine(work, "killed-summaries.txt"),
                killWhen: () => faulty.State.Requests.Count(r => IsUpload(r) && r.Status == 200) >= uploadsPerRun / 2);
            Assert.True(killed.Killed, "the first run should have been killed: " + killed.Output);
            var resumed = await RunShellAsync(faulty, script, journal, summaries);
            // Injected failures are reported as errors on the way (so the exit code is 1); none may stop a send.
            Assert.False(resumed.Killed);
            Assert.DoesNotContain("MetricaUploadsPending", resumed.Output);
            Assert.DoesNotContain("stays unsettled", resumed.Output);

            // Faults of every kind really happened, uploads included.
            var faults = faulty.State.Requests.Where(r => r.Fault != null).GroupBy(r => r.Fault!).ToDictionary(g => g.Key, g => g.Count());
            foreach (var kind in new[] { "429", "429-retry-after", "500", "502", "503", "504", "no-response", "drop-before-applied", "drop-after-applied" })
                Assert.True(faults.ContainsKey(kind), $"no '{kind}' fault in {string.Join(", ", faults.Select(f => f.Key + "=" + f.Value))}");
            Assert.Contains(faulty.State.Requests, r => r.Fault == "drop-after-applied" && r.Query.Contains("APPEND"));

            // Exactly the clean run's final state: each id as its last row, every offline event once.
            var state = SandboxSnapshot.Of(faulty.State.Counter(Counter));
            Assert.Equal(reference.Lines.Count, state.Lines.Count);
            Assert.Equal(reference.Lines, state.Lines);

            // No APPEND upload applied twice: each record of an APPEND file is in exactly one accepted APPEND upload.
            var counter = faulty.State.Counter(Counter);
            foreach (var (entity, prefix) in new[] { ("SIMPLE_ORDER", "SA-"), ("CONTACT", "KA-"), ("ORDER", "DA-") })
            {
                var appended = counter.Uploads.Where(u => u.EntityType == entity && u.MergeMode == "APPEND")
                    .SelectMany(u => Regex.Matches(u.FileText, $@"(?m)^""?{prefix}\d+\b").Select(m => m.Value.Trim('"'))).ToList();
                Assert.Equal(RowsPerFile, appended.Count);
                Assert.Equal(RowsPerFile, appended.Distinct().Count());
            }

            // The run that finished: every send's counts reconcile and nothing is left pending.
            var lines = File.ReadAllLines(summaries);
            Assert.Equal(8, lines.Length);
            foreach (var line in lines)
            {
                var f = line.Split(';');
                long received = long.Parse(f[1]), sent = long.Parse(f[2]), unchanged = long.Parse(f[3]), pending = long.Parse(f[4]);
                Assert.True(f[5] == "True", line);
                Assert.Equal(0, pending);
                Assert.Equal(RowsPerFile, received);
                Assert.Equal(received, sent + unchanged);
            }
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(work, "batches"), "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock")));
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static bool IsUpload(RecordedRequest r) => r.Method == "POST" && (r.Path.Contains("/data/") || r.Path.Contains("/upload"));

    private static SandboxOptions Options(double faultRate) => new()
    {
        FaultRate = faultRate, FaultSeed = 20261201, Seed = 1,
        DailyRequestLimit = 1_000_000, DailyCounterRequestLimit = 1_000_000,
    };

    /// <summary>Eight files of 510 rows (contacts, simple and detailed orders, each SAVE and APPEND; conversions; calls) and the script that sends them.</summary>
    private static string WriteInputs(string work)
    {
        var now = DateTime.Now;
        string Day(int i) => now.AddDays(-1 - i % 10).AddMinutes(-i).ToString("dd.MM.yyyy HH:mm");
        long Unix(int i) => DateTimeOffset.UtcNow.AddDays(-1 - i % 10).AddMinutes(-i).ToUnixTimeSeconds();
        void File(string name, string header, Func<int, string> row)
        {
            var sb = new StringBuilder(header).Append('\n');
            for (int i = 1; i <= RowsPerFile; i++) sb.Append(row(i)).Append('\n');
            System.IO.File.WriteAllText(Path.Combine(work, name), sb.ToString());
        }
        File("contacts.csv", "uniq_id;name;emails;phones;create_date_time", i => $"K-{i};Client {i};k{i}@example.ru;+7 999 100 {i:D4};{Day(i)}");
        File("contacts-append.csv", "uniq_id;emails;create_date_time", i => $"KA-{i};ka{i}@example.ru,second{i}@example.ru;{Day(i)}");
        File("simple.csv", "id;create_date_time;emails;order_status;revenue", i => $"S-{i};{Day(i)};s{i}@example.ru;paid;{i},50");
        File("simple-append.csv", "id;create_date_time;phones;order_status", i => $"SA-{i};{Day(i)};+7 999 200 {i:D4};new");
        File("orders.csv", "id;create_date_time;client_uniq_id;order_status;revenue", i => $"D-{i};{Day(i)};K-{i};PAID;{i * 10}");
        File("orders-append.csv", "id;create_date_time;client_uniq_id;order_status;goals", i => $"DA-{i};{Day(i)};K-{i};IN_PROGRESS;order_confirmed");
        File("conversions.csv", "ClientID;Цель;Дата и время;Сумма;Валюта", i => $"{1_000_000_000_000_000_000L + i};order_confirmed;{Day(i)};{i},00;RUB");
        File("calls.csv", "ClientId,DateTime,PhoneNumber,TalkDuration,CallMissed,StaticCall,Tag", i => $"{2_000_000_000_000_000_000L + i},{Unix(i)},+7495{i:D7},{30 + i % 60},0,0,sales");

        // Every send writes its summary, so the test can check the counts of the run that finished.
        var script = $$"""
            $ErrorActionPreference = 'Continue'
            $common = @{ CounterId = {{Counter}}; BatchSize = {{BatchSize}}; MaxRetryCount = 8; RetryDelay = '00:00:00.02'; RequestTimeout = '00:00:02'; ListingGrace = '00:00:00.001'; DailyRequestLimit = 1000000; InformationVariable = 'iv' }
            $map = @{ paid = 'PAID'; new = 'IN_PROGRESS' }
            function Log { $s = $iv[-1].MessageData; [IO.File]::AppendAllText($env:SUMMARIES, "$($s.Label);$($s.Received);$($s.Sent);$($s.Unchanged);$($s.Pending);$($s.Reconciles)`n") }
            Import-CrmClient '{{work}}/contacts.csv' -TimeZone 'Europe/Moscow' | Send-MetricaContact @common -MergeMode Save | Out-Null; Log
            Import-CrmClient '{{work}}/contacts-append.csv' -TimeZone 'Europe/Moscow' | Send-MetricaContact @common -MergeMode Append | Out-Null; Log
            Import-CrmOrder '{{work}}/simple.csv' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map $map | Send-MetricaConversion @common -MergeMode Save | Out-Null; Log
            Import-CrmOrder '{{work}}/simple-append.csv' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map $map | Send-MetricaConversion @common -MergeMode Append | Out-Null; Log
            Import-CrmOrder '{{work}}/orders.csv' -TimeZone 'Europe/Moscow' | Send-MetricaOrder @common -MergeMode Save | Out-Null; Log
            Import-CrmOrder '{{work}}/orders-append.csv' -TimeZone 'Europe/Moscow' | Send-MetricaOrder @common -MergeMode Append | Out-Null; Log
            Import-CrmConversion '{{work}}/conversions.csv' -TimeZone 'Europe/Moscow' | Send-MetricaOfflineConversion @common | Out-Null; Log
            Import-CrmCall '{{work}}/calls.csv' | Send-MetricaCall @common -NewGoalName 'Calls' | Out-Null; Log
            """;
        var path = Path.Combine(work, "send-all.ps1");
        System.IO.File.WriteAllText(path, script);
        return path;
    }

    private sealed record ShellRun(int ExitCode, bool Killed, string Output);

    /// <summary>Runs the script in a new process of the module's shell against the sandbox; kills it when asked to.</summary>
    private static async Task<ShellRun> RunShellAsync(SandboxServer sandbox, string script, string journal, string summaries, Func<bool>? killWhen = null)
    {
        var shell = ShellDll();
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { shell, "--module", ModuleSession.ModulePath, script }) psi.ArgumentList.Add(a);
        psi.Environment["METRICA_API_URI"] = sandbox.BaseUri.ToString();
        psi.Environment["METRICA_TOKEN"] = SandboxOptions.DefaultToken;
        psi.Environment["METRICA_JOURNAL"] = journal;
        psi.Environment["SUMMARIES"] = summaries;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        bool killed = false;
        var deadline = DateTime.UtcNow.AddMinutes(8);
        while (!process.HasExited && DateTime.UtcNow < deadline)
        {
            if (killWhen != null && killWhen())
            {
                process.Kill(entireProcessTree: true);
                killed = true;
                break;
            }
            await Task.Delay(20);
        }
        if (!process.HasExited && !killed) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        return new ShellRun(killed ? -1 : process.ExitCode, killed, await stdout + await stderr);
    }

    /// <summary>The module's shell, built beside this test in the same configuration.</summary>
    private static string ShellDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ModuleSession.ModulePath)!, "..", ".."));
        var dll = Path.Combine(root, "src", "MetricaCrm.Shell", "bin", configuration, "net10.0", "MetricaCrm.Shell.dll");
        Assert.True(File.Exists(dll), dll + " was not built");
        return dll;
    }

    /// <summary>A counter's stored data as text lines, without what differs between two correct runs (upload ids).</summary>
    private sealed record SandboxSnapshot(List<string> Lines)
    {
        public static SandboxSnapshot Of(CounterState counter)
        {
            var lines = new List<string>();
            lock (counter.Gate)
            {
                foreach (var o in counter.Orders.Values.OrderBy(o => o.Id, StringComparer.Ordinal))
                    lines.Add($"order {o.Id} {o.Kind} {o.CreateDateTime} {o.ClientUniqId} {o.OrderStatus} {o.Revenue} {o.Cost} {o.Linked} " +
                              $"[{string.Join(",", o.ClientIds)}] [{string.Join(",", o.Emails)}] [{string.Join(",", o.Phones)}] [{string.Join(",", o.Goals)}] " +
                              $"[{string.Join(",", o.Products.Select(p => p.Key + ":" + p.Value))}]");
                foreach (var c in counter.Offline.Conversions.Values.OrderBy(c => c.ClientId).ThenBy(c => c.DateTime))
                    lines.Add($"conversion {c.ClientId} {c.Target} {c.DateTime} {c.Price} {c.Currency}");
                foreach (var c in counter.Offline.Calls.Values.OrderBy(c => c.ClientId).ThenBy(c => c.DateTime))
                    lines.Add($"call {c.ClientId} {c.DateTime} {c.PhoneNumber} {c.TalkDuration} {c.CallMissed} {c.StaticCall} {c.Tag}");
                foreach (var c in counter.Cdp.Contacts.Values.OrderBy(c => c.UniqId, StringComparer.Ordinal))
                    lines.Add($"contact {c.UniqId} {string.Join(" ", c.Fields.Select(f => f.Key + "=" + f.Value))} {string.Join(" ", c.Attributes.Select(a => a.Key + "=" + a.Value))}");
            }
            return new SandboxSnapshot(lines);
        }
    }
}
