using System.Globalization;

namespace MetricaCrm.Sandbox;

/// <summary>The sandbox's command line, parsed apart from Program so tests can check every flag.</summary>
public static class SandboxCommandLine
{
    public const string Help =
        "MetricaCrm sandbox: --urls http://127.0.0.1:PORT  --token VALUE (default: sandbox-token)  --listing-delay SECONDS  --processing-delay SECONDS\n" +
        "  --counters 4242,12345   the only counters the token may use (others: 403 access_denied)\n" +
        "  --fault-rate 0.3        the chance of a random fault on each Metrica request (429, 5xx, no answer, dropped connections)\n" +
        "  --fault-seed N          repeat the same random faults\n" +
        "  --daily-quota N         requests per token per UTC day (default 5000; then 429 quota_requests_by_uid)\n" +
        "  --counter-quota N       requests per counter per UTC day (default 5000; then 429 quota_requests_by_counter_id)\n" +
        "  --parallel N            requests per token in flight at once (default 3; then 429 quota_parallel_requests)";

    /// <summary>The options <paramref name="args"/> ask for, or null for --help.</summary>
    /// <exception cref="ArgumentException">An unknown flag, a flag without its value, or a value out of range.</exception>
    public static SandboxOptions? Parse(string[] args)
    {
        var options = new SandboxOptions { Url = "http://127.0.0.1:8080" };
        for (int i = 0; i < args.Length; i++)
        {
            string flag = args[i];
            if (flag is "--help" or "-h") return null;
            if (i + 1 >= args.Length) throw new ArgumentException($"Unknown argument '{flag}' or no value after it.");
            string value = args[++i];
            switch (flag)
            {
                case "--urls": options.Url = value; break;
                case "--token": options.Token = value; break;
                case "--listing-delay": options.ListingDelay = TimeSpan.FromSeconds(Number(flag, value)); break;
                case "--processing-delay": options.ProcessingDelay = TimeSpan.FromSeconds(Number(flag, value)); break;
                case "--counters": options.Counters = value.Split(',', StringSplitOptions.TrimEntries).Select(c => Whole(flag, c)).ToArray(); break;
                case "--fault-rate": options.FaultRate = Number(flag, value, max: 1); break;
                case "--fault-seed": options.FaultSeed = Int(flag, value); break;
                case "--daily-quota": options.DailyRequestLimit = Int(flag, value); break;
                case "--counter-quota": options.DailyCounterRequestLimit = Int(flag, value); break;
                case "--parallel": options.MaxParallelRequests = Int(flag, value); break;
                default: throw new ArgumentException($"Unknown argument '{flag}'.");
            }
        }
        return options;
    }

    private static double Number(string flag, string value, double max = double.MaxValue) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && n <= max
            ? n : throw new ArgumentException($"'{value}' is no number from 0 to {max} for {flag}.");

    private static int Int(string flag, string value) => (int)Whole(flag, value, max: int.MaxValue);

    private static long Whole(string flag, string value, long max = long.MaxValue) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max
            ? n : throw new ArgumentException($"'{value}' is no whole number from 0 to {max} for {flag}.");
}
