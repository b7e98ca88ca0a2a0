using System.Xml;

namespace MetricaCrm.HelpGen;

/// <summary>
/// Writes command help in MAML, the XML that Get-Help reads for compiled cmdlets: the text from the markdown, the
/// syntax and every parameter attribute (required, position, pipeline input, aliases, type, accepted values) from
/// the cmdlet's metadata, so those can never disagree with the code.
/// </summary>
public static class MamlWriter
{
    private const string Msh = "http://msh";
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static void Write(string path, IEnumerable<(CmdletInfo Cmdlet, CmdletHelp Help)> commands)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var settings = new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) };
        using var w = XmlWriter.Create(path, settings);
        w.WriteStartDocument();
        w.WriteStartElement("helpItems", Msh);
        w.WriteAttributeString("schema", "maml");
        foreach (var (cmdlet, help) in commands) WriteCommand(w, cmdlet, help);
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static void WriteCommand(XmlWriter w, CmdletInfo cmdlet, CmdletHelp help)
    {
        w.WriteStartElement("command", "command", Command);
        w.WriteAttributeString("xmlns", "maml", null, Maml);
        w.WriteAttributeString("xmlns", "dev", null, Dev);

        w.WriteStartElement("command", "details", Command);
        w.WriteElementString("command", "name", Command, cmdlet.Name);
        w.WriteElementString("command", "verb", Command, cmdlet.Verb);
        w.WriteElementString("command", "noun", Command, cmdlet.Noun);
        Description(w, new[] { string.Join(" ", help.Synopsis) });
        w.WriteEndElement();

        Description(w, help.Description);

        var documented = help.Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        w.WriteStartElement("command", "syntax", Command);
        foreach (var set in ParameterSets(cmdlet))
        {
            w.WriteStartElement("command", "syntaxItem", Command);
            w.WriteElementString("maml", "name", Maml, cmdlet.Name);
            foreach (var (parameter, binding) in SyntaxOrder(cmdlet, set))
                Parameter(w, parameter, binding, documented[parameter.Name], inSyntax: true);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        // Parameters in the markdown's order: the author chose it for reading.
        var byName = cmdlet.Parameters.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        w.WriteStartElement("command", "parameters", Command);
        foreach (var doc in help.Parameters)
        {
            var parameter = byName[doc.Name];
            Parameter(w, parameter, Combined(parameter.Bindings), doc, inSyntax: false);
        }
        w.WriteEndElement();

        Types(w, "inputTypes", "inputType", help.Inputs);
        Types(w, "returnValues", "returnValue", help.Outputs);

        if (help.Notes.Count > 0)
        {
            w.WriteStartElement("maml", "alertSet", Maml);
            w.WriteStartElement("maml", "alert", Maml);
            foreach (var para in help.Notes) w.WriteElementString("maml", "para", Maml, para);
            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteStartElement("command", "examples", Command);
        foreach (var example in help.Examples)
        {
            w.WriteStartElement("command", "example", Command);
            w.WriteElementString("maml", "title", Maml, $"---------- {example.Title} ----------");
            w.WriteElementString("dev", "code", Dev, example.Code);
            w.WriteStartElement("dev", "remarks", Dev);
            foreach (var para in example.Remarks) w.WriteElementString("maml", "para", Maml, para);
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("command", "relatedLinks", Command);
        foreach (var link in help.Links)
        {
            w.WriteStartElement("maml", "navigationLink", Maml);
            w.WriteElementString("maml", "linkText", Maml, link.Text);
            w.WriteElementString("maml", "uri", Maml, link.Uri);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteEndElement();
    }

    private static void Parameter(XmlWriter w, CmdletParameter parameter, ParameterBinding binding, ParameterHelp doc, bool inSyntax)
    {
        w.WriteStartElement("command", "parameter", Command);
        w.WriteAttributeString("required", binding.Mandatory ? "true" : "false");
        w.WriteAttributeString("variableLength", parameter.IsArray ? "true" : "false");
        w.WriteAttributeString("globbing", parameter.SupportsWildcards ? "true" : "false");
        w.WriteAttributeString("pipelineInput", PipelineInput(binding));
        w.WriteAttributeString("position", binding.Position?.ToString() ?? "named");
        w.WriteAttributeString("aliases", parameter.Aliases.Count > 0 ? string.Join(", ", parameter.Aliases) : "none");
        w.WriteElementString("maml", "name", Maml, parameter.Name);
        if (!inSyntax) Description(w, doc.Paragraphs);
        if (parameter.AcceptedValues.Count > 0)
        {
            w.WriteStartElement("command", "parameterValueGroup", Command);
            foreach (var value in parameter.AcceptedValues) ParameterValue(w, value, false);
            w.WriteEndElement();
        }
        // Get-Help shows a switch in the syntax without a value: [-Wait].
        if (!(inSyntax && parameter.IsSwitch)) ParameterValue(w, parameter.TypeName, !parameter.IsSwitch);
        w.WriteStartElement("dev", "type", Dev);
        w.WriteElementString("maml", "name", Maml, parameter.TypeFullName);
        w.WriteEndElement();
        w.WriteElementString("dev", "defaultValue", Dev, doc.DefaultValue ?? (parameter.IsSwitch ? "False" : "None"));
        w.WriteEndElement();
    }

    private static void ParameterValue(XmlWriter w, string text, bool required)
    {
        w.WriteStartElement("command", "parameterValue", Command);
        w.WriteAttributeString("required", required ? "true" : "false");
        w.WriteAttributeString("variableLength", "false");
        w.WriteString(text);
        w.WriteEndElement();
    }

    private static string PipelineInput(ParameterBinding b) => (b.ByValue, b.ByPropertyName) switch
    {
        (true, true) => "True (ByPropertyName, ByValue)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    /// <summary>The named parameter sets, default first; a cmdlet without named sets has one syntax.</summary>
    private static List<string> ParameterSets(CmdletInfo cmdlet)
    {
        var sets = cmdlet.Parameters.SelectMany(p => p.Bindings).Select(b => b.SetName)
            .Where(s => s != CmdletMetadata.AllParameterSets).Distinct().ToList();
        if (sets.Count == 0) return new List<string> { CmdletMetadata.AllParameterSets };
        return sets.OrderBy(s => s == cmdlet.DefaultParameterSet ? 0 : 1).ToList();
    }

    /// <summary>The parameters of one set as PowerShell lists them: positional by position, then mandatory, then the rest.</summary>
    private static IEnumerable<(CmdletParameter, ParameterBinding)> SyntaxOrder(CmdletInfo cmdlet, string set) =>
        cmdlet.Parameters
            .Select(p => (Parameter: p, Binding: p.Bindings.FirstOrDefault(b => b.SetName == set) ?? p.Bindings.FirstOrDefault(b => b.SetName == CmdletMetadata.AllParameterSets)))
            .Where(x => x.Binding != null)
            .OrderBy(x => x.Binding!.Position ?? int.MaxValue).ThenBy(x => x.Binding!.Mandatory ? 0 : 1)
            .Select(x => (x.Parameter, x.Binding!));

    /// <summary>One parameter over all its sets, for the PARAMETERS section.</summary>
    private static ParameterBinding Combined(IReadOnlyList<ParameterBinding> bindings) => new(
        CmdletMetadata.AllParameterSets,
        bindings.All(b => b.Mandatory),
        bindings.Select(b => b.Position).Distinct().Count() == 1 ? bindings[0].Position : null,
        bindings.Any(b => b.ByValue),
        bindings.Any(b => b.ByPropertyName));

    private static void Types(XmlWriter w, string listName, string itemName, IEnumerable<TypeHelp> types)
    {
        w.WriteStartElement("command", listName, Command);
        foreach (var type in types)
        {
            w.WriteStartElement("command", itemName, Command);
            w.WriteStartElement("dev", "type", Dev);
            w.WriteElementString("maml", "name", Maml, type.TypeName);
            w.WriteEndElement();
            Description(w, type.Paragraphs);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static void Description(XmlWriter w, IEnumerable<string> paragraphs)
    {
        w.WriteStartElement("maml", "description", Maml);
        foreach (var para in paragraphs) w.WriteElementString("maml", "para", Maml, para);
        w.WriteEndElement();
    }
}
