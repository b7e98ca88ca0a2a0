using System.Collections;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// Get-Help in the runspace reads the generated MAML (out/MetricaCrm/en-US/MetricaCrm.dll-Help.xml) for every cmdlet the
/// module exports, found at run time, so a new cmdlet is covered without touching this test.
/// </summary>
public sealed class HelpTests
{
    /// <summary>What Get-Help -Full shows of each exported cmdlet, flattened for the assertions.</summary>
    private const string ReadHelp = """
        foreach ($name in (Get-Command -Module MetricaCrm -CommandType Cmdlet).Name) {
            $help = Get-Help $name -Full
            $described = @{}
            foreach ($p in $help.parameters.parameter) { $described[$p.name] = ($p.description.Text -join ' ').Trim() }
            [pscustomobject]@{
                Name        = $name
                Synopsis    = "$($help.Synopsis)".Trim()
                Description = ($help.description.Text -join ' ').Trim()
                Parameters  = @((Get-Command $name).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.Cmdlet]::CommonParameters })
                Described   = $described
                Examples    = @($help.examples.example | ForEach-Object { "$($_.code)".Trim() })
            }
        }
        """;

    [Fact]
    public async Task Every_exported_cmdlet_has_a_synopsis_description_parameter_help_and_two_examples()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run(ReadHelp);
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var names = r.Output.Select(c => (string)c.Properties["Name"].Value).ToList();
        Assert.Contains("Send-MetricaConversion", names);

        var problems = new List<string>();
        foreach (var cmdlet in r.Output)
        {
            string name = (string)cmdlet.Properties["Name"].Value;
            string synopsis = (string)cmdlet.Properties["Synopsis"].Value;
            // Without a help file Get-Help makes the synopsis from the syntax, which ends in [<CommonParameters>].
            if (synopsis.Length == 0 || synopsis.StartsWith(name + " ", StringComparison.Ordinal) || synopsis.Contains("<CommonParameters>"))
                problems.Add($"{name}: no synopsis (Get-Help shows '{synopsis}')");
            if (((string)cmdlet.Properties["Description"].Value).Length == 0)
                problems.Add($"{name}: no description");
            var described = (Hashtable)Unwrap(cmdlet.Properties["Described"].Value);
            foreach (var parameter in Strings(cmdlet.Properties["Parameters"].Value))
                if (described[parameter] is not string text || text.Length == 0)
                    problems.Add($"{name}: -{parameter} has no description");
            var examples = Strings(cmdlet.Properties["Examples"].Value).ToList();
            if (examples.Count < 2 || examples.Any(code => code.Length == 0))
                problems.Add($"{name}: {examples.Count(code => code.Length > 0)} example(s) with code; at least 2 are needed");
        }
        Assert.True(problems.Count == 0, "Help is missing (src/MetricaCrm/Help/<Verb-Noun>.md):\n" + string.Join("\n", problems));
    }

    [Fact]
    public async Task The_about_topic_is_found()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run("Get-Help about_MetricaCrm");
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var text = string.Join("\n", r.Output.Select(o => o.ToString()));
        Assert.Contains("about_MetricaCrm", text);
        Assert.Contains("SCHEDULED TASKS", text);
        Assert.Contains("ERROR IDS", text);
    }

    private static object Unwrap(object value) => value is PSObject o ? o.BaseObject : value;

    private static IEnumerable<string> Strings(object value) => ((IEnumerable)Unwrap(value)).Cast<object>().Select(o => o.ToString()!);
}
