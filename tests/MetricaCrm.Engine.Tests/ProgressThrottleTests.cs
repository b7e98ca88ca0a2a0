using MetricaCrm.Engine.Upload;
using Xunit;

namespace MetricaCrm.Engine.Tests;

public sealed class ProgressThrottleTests
{
    [Fact]
    public void Reports_at_once_then_only_after_the_interval_whatever_the_number_of_records()
    {
        var throttle = new ProgressThrottle(TimeSpan.FromMilliseconds(200));
        Assert.True(throttle.Due());
        int due = 0;
        for (int i = 0; i < 1_000_000; i++) if (throttle.Due()) due++;
        Assert.InRange(due, 0, 5); // a million records in far less than a second: a handful of reports at most
        System.Threading.Thread.Sleep(250);
        Assert.True(throttle.Due());
        Assert.False(throttle.Due());
    }
}
