using System.Globalization;

namespace MetricaCrm.Sandbox;

/// <summary>The sandbox's command line, parsed apart from Program so tests can check every flag.</summary>
public static class SandboxCommandLine
{
    public const string Help =
        "MetricaCrm sandbox: --urls http://127.0.0.1:PORT  --token VALUE (default: sandbox-token)  --listing-delay SECONDS  --processing-delay SECONDS\n" +
        "  --counters 4242,12345   the only counters the token may use (others: 403 access_denied)";

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
                case "--listing-delay": options.ListingDelay = TimeSpan.FromSeconds(Seconds(flag, value)); break;
                case "--processing-delay": options.ProcessingDelay = TimeSpan.FromSeconds(Seconds(flag, value)); break;
                case "--counters": options.Counters = value.Split(',', StringSplitOptions.TrimEntries).Select(c => Whole(flag, c)).ToArray(); break;
                default: throw new ArgumentException($"Unknown argument '{flag}'.");
            }
        }
        return options;
    }

    private static double Seconds(string flag, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n : throw new ArgumentException($"{flag} takes seconds (0 or more), not '{value}'.");

    private static long Whole(string flag, string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n : throw new ArgumentException($"{flag} takes whole numbers (0 or more), not '{value}'.");
}
