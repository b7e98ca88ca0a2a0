namespace MetricaCrm.Engine.Tests;

/// <summary>
/// A fresh folder under the temp path, as Directory.CreateTempSubdirectory makes one; that API is .NET 7+, and these
/// sources also build for net472 (MetricaCrm.Engine.Tests.Net472).
/// </summary>
internal static class TestDirectory
{
    public static string Create(string prefix)
    {
        string path = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
