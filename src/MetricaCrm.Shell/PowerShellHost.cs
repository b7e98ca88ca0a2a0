using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Microsoft.PowerShell.Commands;

namespace MetricaCrm.Shell;

/// <summary>Runs PowerShell text against the built module in this process and renders every stream as text.</summary>
public static class PowerShellHost
{
    /// <summary>Finds out/MetricaCrm/MetricaCrm.psd1 above the current directory or this program.</summary>
    public static string FindModule()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "out", "MetricaCrm", "MetricaCrm.psd1");
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException("out/MetricaCrm/MetricaCrm.psd1 was not found: run 'dotnet build MetricaCrm.sln' first.");
    }

    /// <summary>An open runspace with the core cmdlets and the module imported from its manifest (the built layout).</summary>
    public static Runspace OpenRunspace(string? modulePath = null)
    {
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(new[] { modulePath ?? FindModule() });
        var runspace = RunspaceFactory.CreateRunspace(iss);
        runspace.Open();
        return runspace;
    }

    public static int Run(string modulePath, string scriptOrFile, bool isFile, bool verbose, TextWriter stdout, TextWriter stderr)
    {
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(new[] { modulePath, typeof(OutStringCommand).Assembly.Location });
        using var runspace = RunspaceFactory.CreateRunspace(iss);
        runspace.Open();
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        if (isFile) ps.AddCommand(Path.GetFullPath(scriptOrFile));
        else ps.AddScript(scriptOrFile);
        if (verbose) ps.AddParameter("Verbose", true);
        // What the script outputs is shown as a console shows it: through the module's format views (tables), at the
        // console's width, or 120 columns when the output is redirected.
        ps.AddCommand("Out-String").AddParameter("Stream").AddParameter("Width", ConsoleWidth());

        ps.Streams.Error.DataAdded += (s, e) => stderr.WriteLine("ERROR: " + Describe(((PSDataCollection<ErrorRecord>)s!)[e.Index]));
        ps.Streams.Warning.DataAdded += (s, e) => stderr.WriteLine("WARNING: " + ((PSDataCollection<WarningRecord>)s!)[e.Index].Message);
        ps.Streams.Information.DataAdded += (s, e) => stdout.WriteLine("INFO: " + ((PSDataCollection<InformationRecord>)s!)[e.Index].MessageData);
        if (verbose) ps.Streams.Verbose.DataAdded += (s, e) => stderr.WriteLine("VERBOSE: " + ((PSDataCollection<VerboseRecord>)s!)[e.Index].Message);

        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (s, e) => stdout.WriteLine(output[e.Index]?.ToString());
        try
        {
            ps.Invoke(null, output);
        }
        catch (RuntimeException ex)
        {
            stderr.WriteLine("ERROR: " + Describe(ex.ErrorRecord));
            return 1;
        }
        // A script that ends with 'exit N' (the daily job's documented codes) sets $LASTEXITCODE: that is the result.
        if (isFile && runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is int code) return code;
        return ps.HadErrors ? 1 : 0;
    }

    private static int ConsoleWidth()
    {
        if (Console.IsOutputRedirected) return 120;
        try { return Math.Max(80, Console.WindowWidth - 1); }
        catch (IOException) { return 120; }
    }

    private static string Describe(ErrorRecord r) => $"{r.Exception.Message} [{r.FullyQualifiedErrorId}]";
}
