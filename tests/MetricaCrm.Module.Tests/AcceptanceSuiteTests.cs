using System.Diagnostics;
using System.Text;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// The Pester acceptance suite (tests/pester) in a fresh, real pwsh: the PowerShell of the repo's tool manifest
/// (.config/dotnet-tools.json) with the Pester the restore downloaded. It proves what the hosted runspace cannot:
/// formatting, the Utility cmdlets, -File scripts and exit codes, help, completion, install. This test fails with
/// Pester's own failure messages, so 'dotnet test MetricaCrm.sln' alone still proves everything.
/// </summary>
public sealed class AcceptanceSuiteTests(ITestOutputHelper output)
{
    /// <summary>The issue that brought the suite asks for at least this many tests; fewer means files went missing.</summary>
    private const int MinimumTests = 40;

    [Fact]
    public void Pester_acceptance_suite_passes_in_a_real_pwsh()
    {
        var root = RepoPaths.Root();
        // NUnit XML where .ci/run reads the counts for its closing line.
        var results = Path.Combine(root, "TestResults", "pester", "results.xml");
        Directory.CreateDirectory(Path.GetDirectoryName(results)!);
        File.Delete(results);

        Run(root, TimeSpan.FromMinutes(5), "tool", "restore");
        var (exit, text) = Run(root, TimeSpan.FromMinutes(45), "tool", "run", "pwsh", "-NoProfile", "-NonInteractive",
            "-File", Path.Combine(root, "tests", "pester", "Invoke-AcceptanceSuite.ps1"), "-ResultPath", results);
        output.WriteLine(text);

        Assert.True(File.Exists(results), $"Pester wrote no results (exit code {exit}):\n{Tail(text)}");
        var cases = XDocument.Load(results).Descendants("test-case").ToList();
        var failures = cases.Where(c => (string?)c.Attribute("result") is "Failure" or "Error")
            .Select(c => $"{c.Attribute("description")?.Value ?? c.Attribute("name")?.Value}\n    " +
                         $"{c.Descendants("message").FirstOrDefault()?.Value.Trim()}\n    " +
                         $"{c.Descendants("stack-trace").FirstOrDefault()?.Value.Trim().Split('\n').FirstOrDefault()}")
            .ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases.Count} Pester tests failed:\n" + string.Join("\n", failures));
        Assert.True(exit == 0, $"Pester exited with {exit}:\n{Tail(text)}");
        int executed = cases.Count(c => (string?)c.Attribute("executed") == "True");
        Assert.True(executed >= MinimumTests, $"only {executed} Pester tests ran; expected at least {MinimumTests}");
    }

    private static (int Exit, string Text) Run(string root, TimeSpan limit, params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var text = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (text) text.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (text) text.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} ran over {limit}:\n{Tail(text.ToString())}");
        }
        p.WaitForExit();
        if (args[1] == "restore" && p.ExitCode != 0) throw new InvalidOperationException($"dotnet tool restore failed:\n{text}");
        return (p.ExitCode, text.ToString());
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : "…" + text[^6000..];
}
