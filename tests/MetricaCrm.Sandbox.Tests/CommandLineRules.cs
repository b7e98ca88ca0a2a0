namespace MetricaCrm.Sandbox.Tests;

/// <summary>The sandbox's flags reach its options, and a bad flag is refused instead of being ignored.</summary>
public sealed class CommandLineRules
{
    [Fact]
    public void Counters_flag_limits_the_token_to_those_counters()
    {
        var options = SandboxCommandLine.Parse(["--counters", "4242, 12345", "--token", "t"])!;
        Assert.Equal(new long[] { 4242, 12345 }, options.Counters);
        Assert.Equal("t", options.Token);
        Assert.Contains("--counters", SandboxCommandLine.Help);
    }

    [Fact]
    public void Fault_flags_set_the_random_faults()
    {
        var options = SandboxCommandLine.Parse(["--fault-rate", "0.3", "--fault-seed", "7"])!;
        Assert.Equal((0.3, 7), (options.FaultRate, options.FaultSeed));
        Assert.Contains("--fault-rate", SandboxCommandLine.Help);
    }

    [Fact]
    public void Quota_flags_set_the_limits()
    {
        var options = SandboxCommandLine.Parse(["--daily-quota", "100", "--counter-quota", "50", "--parallel", "1"])!;
        Assert.Equal((100, 50, 1), (options.DailyRequestLimit, options.DailyCounterRequestLimit, options.MaxParallelRequests));
        Assert.Contains("--counter-quota", SandboxCommandLine.Help);
    }

    [Fact]
    public void Help_returns_no_options() => Assert.Null(SandboxCommandLine.Parse(["--urls", "http://127.0.0.1:1", "--help"]));

    [Theory]
    [InlineData("--counters", "4242,abc")]
    [InlineData("--counters", "-1")]
    [InlineData("--listing-delay", "soon")]
    [InlineData("--fault-rate", "1.5")]
    [InlineData("--fault-seed", "2147483648")]
    [InlineData("--parallel", "two")]
    [InlineData("--unknown", "1")]
    [InlineData("--token")]
    public void Bad_arguments_are_refused(params string[] args) => Assert.Throws<ArgumentException>(() => SandboxCommandLine.Parse(args));
}
