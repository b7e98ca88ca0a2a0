using MetricaCrm.Sandbox;
using MetricaCrm.Shell;

// dotnet run --project src/MetricaCrm.Shell -- [--sandbox] [--verbose] [--module PATH] (FILE.ps1 | -c "COMMAND")
bool sandbox = false, verbose = false, isFile = true;
string? module = null, script = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--sandbox": sandbox = true; break;
        case "--verbose": verbose = true; break;
        case "--module" when i + 1 < args.Length: module = args[++i]; break;
        case "-c" or "--command" when i + 1 < args.Length: script = args[++i]; isFile = false; break;
        case "--help" or "-h":
            Console.WriteLine("MetricaCrm shell: runs a script with the MetricaCrm module imported.\n" +
                "  --sandbox   start the Metrica sandbox on a free loopback port and point METRICA_API_URI/METRICA_TOKEN at it\n" +
                "  --verbose   show verbose messages\n  --module    path of MetricaCrm.psd1 (default: out/MetricaCrm)\n  FILE.ps1 | -c COMMAND");
            return 0;
        default: script = args[i]; isFile = true; break;
    }
}
if (script == null)
{
    Console.Error.WriteLine("Give a script file or -c \"command\" (see --help).");
    return 2;
}

SandboxServer? server = null;
if (sandbox)
{
    server = await SandboxServer.StartAsync(new SandboxOptions());
    Environment.SetEnvironmentVariable("METRICA_API_URI", server.BaseUri.ToString());
    Environment.SetEnvironmentVariable("METRICA_TOKEN", SandboxOptions.DefaultToken);
    // A rehearsal's memory ends with its sandbox.
    Environment.SetEnvironmentVariable("METRICA_JOURNAL", Path.Combine(Path.GetTempPath(), $"metricacrm-sandbox-journal-{Guid.NewGuid():N}.db"));
    Console.WriteLine($"Metrica sandbox: {server.BaseUri}");
}
try
{
    return PowerShellHost.Run(module ?? PowerShellHost.FindModule(), script, isFile, verbose, Console.Out, Console.Error);
}
finally
{
    if (server != null) await server.DisposeAsync();
}
