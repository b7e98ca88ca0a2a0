namespace MetricaCrm.Module.Tests;

/// <summary>The checkout these tests were built from: the folder above the test assembly that holds MetricaCrm.sln.</summary>
internal static class RepoPaths
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MetricaCrm.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("MetricaCrm.sln above " + AppContext.BaseDirectory);
    }
}
