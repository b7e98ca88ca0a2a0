using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MetricaCrm.Module.Tests;

/// <summary>The PackModule target: a .nupkg in PowerShellGet's layout (module folder at the root plus MetricaCrm.nuspec).</summary>
public sealed class PackageTests
{
    [Fact]
    public void PackModule_builds_a_nupkg_that_PowerShellGet_installs()
    {
        var root = RepoPaths.Root();
        var outDir = Directory.CreateTempSubdirectory("metricacrm-pack-").FullName;
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root,
        };
        foreach (var a in new[] { "msbuild", Path.Combine(root, "src", "MetricaCrm", "MetricaCrm.csproj"), "-t:PackModule", $"-p:ModulePackageDir={outDir}/", "-nologo", "-v:m" })
            psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, stdout.Result + stderr);
        }

        var manifest = File.ReadAllText(ModuleSession.ModulePath);
        var version = Regex.Match(manifest, @"ModuleVersion\s*=\s*'([^']+)'").Groups[1].Value;
        var package = Path.Combine(outDir, $"MetricaCrm.{version}.nupkg");
        Assert.True(File.Exists(package), string.Join(", ", Directory.GetFiles(outDir)));

        using var zip = ZipFile.OpenRead(package);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        XNamespace ns = "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd";
        XDocument nuspec;
        using (var s = zip.GetEntry("MetricaCrm.nuspec")!.Open()) nuspec = XDocument.Load(s);
        var metadata = nuspec.Root!.Element(ns + "metadata")!;
        Assert.Equal("MetricaCrm", metadata.Element(ns + "id")!.Value);
        Assert.Equal(version, metadata.Element(ns + "version")!.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "authors")!.Value));
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")!.Value));
        var tags = metadata.Element(ns + "tags")!.Value.Split(' ');
        Assert.Contains("PSModule", tags);
        Assert.Contains("PSEdition_Core", tags);
        Assert.Contains("PSCmdlet_Send-MetricaConversion", tags);
        Assert.Contains("PSCmdlet_Register-MetricaUploadTask", tags);

        // The module folder's content at the root, exactly as laid out.
        foreach (var f in new[] { "MetricaCrm.psd1", "MetricaCrm.dll", "MetricaCrm.Loader.dll", "MetricaCrm.Format.ps1xml", "en-US/MetricaCrm.dll-Help.xml",
                     "dependencies/MetricaCrm.Engine.dll", "dependencies/core/MetricaCrm.Engine.dll" })
            Assert.Contains(f, names);
        Assert.Contains(names, n => n.StartsWith("dependencies/core/runtimes/", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.StartsWith("MetricaCrm/", StringComparison.Ordinal));
        Assert.DoesNotContain(names, n => n.EndsWith("System.Management.Automation.dll", StringComparison.OrdinalIgnoreCase));
        var moduleDir = Path.GetDirectoryName(ModuleSession.ModulePath)!;
        var laidOut = Directory.GetFiles(moduleDir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(moduleDir, f).Replace('\\', '/'));
        Assert.Empty(laidOut.Except(names));
        using (var s = zip.GetEntry("MetricaCrm.psd1")!.Open())
        using (var r = new StreamReader(s))
            Assert.Equal(manifest, r.ReadToEnd());
        Directory.Delete(outDir, true);
    }
}
