using System.Reflection;

/// <summary>
/// Loads the engine from the built module's dependencies/core through its DependencyLoadContext, as PowerShell 7
/// loads it, so that engine-only measurements use the same assemblies (and native SQLite) as the cmdlets. Callers
/// touch engine types only in a method that is not inlined into the one calling this.
/// </summary>
static class BuiltEngine
{
    public static void Load()
    {
        var module = Path.GetDirectoryName(MetricaCrm.Shell.PowerShellHost.FindModule())!;
        Assembly.LoadFrom(Path.Combine(module, "MetricaCrm.Isolation.dll"))
            .GetType("MetricaCrm.Isolation.DependencyLoadContext", throwOnError: true)!
            .GetMethod("Install")!.Invoke(null, new object[] { Path.Combine(module, "dependencies", "core"), "MetricaCrm.Engine" });
    }
}
