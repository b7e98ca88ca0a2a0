global using Xunit;
global using System.Management.Automation;
global using static MetricaCrm.Module.Tests.TestDates;

namespace MetricaCrm.Module.Tests
{
    /// <summary>Test data dates relative to now (Metrica links orders only within 21 days), read once per run.</summary>
    internal static class TestDates
    {
        public static readonly string RecentDay = DateTime.Now.AddDays(-3).ToString("yyyy-MM-dd");
    }
}
