using MetricaCrm.Sandbox;

// dotnet run --project src/MetricaCrm.Sandbox -- --urls http://127.0.0.1:8080 [--token VALUE] [more: --help]
SandboxOptions? options;
try { options = SandboxCommandLine.Parse(args); }
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"{ex.Message} (see --help)");
    return 2;
}
if (options == null)
{
    Console.WriteLine(SandboxCommandLine.Help);
    return 0;
}
await using var server = await SandboxServer.StartAsync(options);
Console.WriteLine($"Metrica sandbox listening on {server.BaseUri} (token: {(options.Token == SandboxOptions.DefaultToken ? "sandbox-token, the default" : "as given")}). Ctrl+C stops it.");
await server.WaitForShutdownAsync();
return 0;
