using MetricaCrm.Sandbox;

// dotnet run --project src/MetricaCrm.Sandbox -- --urls http://127.0.0.1:8080 [--token VALUE] [--listing-delay SECONDS] [--processing-delay SECONDS]
var options = new SandboxOptions { Url = "http://127.0.0.1:8080" };
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--urls" when i + 1 < args.Length: options.Url = args[++i]; break;
        case "--token" when i + 1 < args.Length: options.Token = args[++i]; break;
        case "--listing-delay" when i + 1 < args.Length: options.ListingDelay = TimeSpan.FromSeconds(double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture)); break;
        case "--processing-delay" when i + 1 < args.Length: options.ProcessingDelay = TimeSpan.FromSeconds(double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture)); break;
        case "--help" or "-h":
            Console.WriteLine("MetricaCrm sandbox: --urls http://127.0.0.1:PORT  --token VALUE (default: sandbox-token)  --listing-delay SECONDS  --processing-delay SECONDS");
            return 0;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}' (see --help).");
            return 2;
    }
}
await using var server = await SandboxServer.StartAsync(options);
Console.WriteLine($"Metrica sandbox listening on {server.BaseUri} (token: {(options.Token == SandboxOptions.DefaultToken ? "the default from README" : "as given")}). Ctrl+C stops it.");
await server.WaitForShutdownAsync();
return 0;
