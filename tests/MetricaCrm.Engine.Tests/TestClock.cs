namespace MetricaCrm.Engine.Tests;

/// <summary>A clock the test sets: journal times and days move only when the test says, with no sleeping.</summary>
internal sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
