using System.Reflection;
using System.Runtime.Loader;

namespace MetricaCrm.Module.Tests;

/// <summary>Another module's Polly or CsvHelper in the process must neither break the cmdlets nor be used by them.</summary>
public sealed class IsolationTests
{
    [Fact]
    public async Task Cmdlets_work_with_a_different_Polly_already_loaded_and_use_their_own_copies()
    {
        // What another module would do: load its own Polly.Core (8.5.2) into PowerShell's default context.
        var foreignPolly = AssemblyLoadContext.Default.LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, "conflicts", "Polly.Core.dll"));
        // Every Polly.Core 8.x has assembly version 8.0.0.0, so the default context would hand this copy to anyone who asks.
        Assert.Equal("8.5.2", FileVersion(foreignPolly));
        // And the host already has a different build of CsvHelper 34 (the sandbox's, net10.0) in the default context.
        var hostCsv = typeof(MetricaCrm.Sandbox.SimpleOrdersRules).Assembly.GetReferencedAssemblies().Single(a => a.Name == "CsvHelper");

        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new MetricaCrm.Sandbox.FaultRule { PathContains = "simple_orders", Status = 503, Times = 1 }); // exercises Polly
        var file = s.WriteFile("orders.csv", $"id,create_date_time,emails,order_status\nA-1,{RecentDay} 10:07:00,a@b.ru,PAID\n");
        var r = s.Run($"Import-CrmOrder '{file}' | Send-MetricaConversion -CounterId 7 {ModuleSession.Api}");
        Assert.Empty(r.Errors);
        Assert.Equal(2, s.Requests("/data/simple_orders").Count);

        var moduleContext = AssemblyLoadContext.All.Single(c => c.Name == "MetricaCrm");
        var ours = moduleContext.Assemblies.ToDictionary(a => a.GetName().Name!, a => a);
        Assert.Equal("8.9.1", FileVersion(ours["Polly.Core"]));
        Assert.NotSame(foreignPolly, ours["Polly.Core"]);
        Assert.True(ours.ContainsKey("CsvHelper"));
        Assert.True(ours.ContainsKey("MetricaCrm.Engine"));
        var hostCsvLoaded = AssemblyLoadContext.Default.Assemblies.Where(a => a.GetName().Name == "CsvHelper").ToList();
        Assert.DoesNotContain(ours["CsvHelper"], hostCsvLoaded);
        Assert.Equal("CsvHelper", hostCsv.Name);
        // Nothing of ours leaked into the default context.
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name is "MetricaCrm.Engine" or "PhoneNumbers" or "TimeZoneConverter");
    }

    [Fact]
    public void Cmdlet_and_loader_assemblies_reference_no_third_party_assembly()
    {
        // A direct reference would be resolved in PowerShell's shared context, outside the isolation.
        var root = Path.GetDirectoryName(ModuleSession.ModulePath)!;
        foreach (var dll in new[] { "MetricaCrm.dll", "MetricaCrm.Loader.dll", "MetricaCrm.Isolation.dll" })
        {
            using var stream = File.OpenRead(Path.Combine(root, dll));
            using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
            var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
            var names = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToList();
            Assert.All(names, n => Assert.True(
                n is "mscorlib" or "netstandard" or "System.Management.Automation" or "MetricaCrm.Engine" || n.StartsWith("System", StringComparison.Ordinal),
                $"{dll} references {n}"));
        }
    }

    private static string FileVersion(Assembly a) =>
        a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
}
