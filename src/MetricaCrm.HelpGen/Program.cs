using MetricaCrm.HelpGen;

// dotnet exec MetricaCrm.HelpGen.dll --assembly MetricaCrm.dll --references refs.txt --markdown src/MetricaCrm/Help --output en-US/MetricaCrm.dll-Help.xml
var options = new Dictionary<string, string>();
for (int i = 0; i + 1 < args.Length; i += 2) options[args[i]] = args[i + 1];
string[] required = { "--assembly", "--references", "--markdown", "--output" };
if (required.Any(r => !options.ContainsKey(r)))
{
    Console.Error.WriteLine("Usage: MetricaCrm.HelpGen --assembly DLL --references FILE (one path a line) --markdown DIR --output FILE");
    return 2;
}

var assembly = options["--assembly"];
var cmdlets = CmdletMetadata.Read(assembly, File.ReadAllLines(options["--references"]).Where(l => l.Trim().Length > 0));
var errors = new List<HelpError>();
var helps = new Dictionary<string, CmdletHelp>(StringComparer.OrdinalIgnoreCase);
var sharedFile = Path.Combine(options["--markdown"], "_Shared.md");
var shared = File.Exists(sharedFile) ? HelpMarkdown.ParseShared(sharedFile, File.ReadAllText(sharedFile), errors) : new List<ParameterHelp>();
var sharedUsed = new HashSet<string>(StringComparer.Ordinal);
foreach (var file in Directory.GetFiles(options["--markdown"], "*.md").Order(StringComparer.Ordinal))
{
    if (Path.GetFileName(file) is "README.md" or "_Shared.md") continue;
    var help = HelpMarkdown.Parse(file, File.ReadAllText(file), errors);
    if (!string.Equals(help.Name, Path.GetFileNameWithoutExtension(file), StringComparison.Ordinal))
        errors.Add(new HelpError(file, 1, $"The title '# {help.Name}' does not match the file name; the file is <Verb-Noun>.md."));
    else if (!cmdlets.Any(c => c.Name == help.Name))
        errors.Add(new HelpError(file, 1, $"{Path.GetFileName(assembly)} has no cmdlet {help.Name}: rename or delete this help file."));
    else helps[help.Name] = help;
}

// The help cannot drift from the code: every cmdlet and every parameter has its text, and no text is about nothing.
foreach (var cmdlet in cmdlets)
{
    if (!helps.TryGetValue(cmdlet.Name, out var help))
    {
        errors.Add(new HelpError(Path.Combine(options["--markdown"], cmdlet.Name + ".md"), 1,
            $"The cmdlet {cmdlet.Name} has no help: create this file (the shape is in README.md beside it)."));
        continue;
    }
    var parameters = cmdlet.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
    var seen = new HashSet<string>(StringComparer.Ordinal);
    foreach (var doc in help.Parameters)
    {
        if (!parameters.Contains(doc.Name))
            errors.Add(new HelpError(help.File, doc.Line, $"{cmdlet.Name} has no parameter -{doc.Name}; its parameters: {string.Join(", ", parameters.Select(p => "-" + p))}."));
        else if (!seen.Add(doc.Name))
            errors.Add(new HelpError(help.File, doc.Line, $"-{doc.Name} is described twice."));
        else if (doc.Paragraphs.Count == 0)
            errors.Add(new HelpError(help.File, doc.Line, $"-{doc.Name} has no description."));
    }
    foreach (var missing in cmdlet.Parameters.Where(p => !seen.Contains(p.Name)))
    {
        var common = shared.FirstOrDefault(s => s.Name == missing.Name);
        if (common != null)
        {
            help.Parameters.Add(common);
            sharedUsed.Add(common.Name);
        }
        else errors.Add(new HelpError(help.File, 1, $"The parameter -{missing.Name} of {cmdlet.Name} has no '### -{missing.Name}' paragraph under '## Parameters' (or in _Shared.md)."));
    }
}
foreach (var unused in shared.Where(s => !sharedUsed.Contains(s.Name)))
    errors.Add(new HelpError(sharedFile, unused.Line, $"No cmdlet takes its help for -{unused.Name} from here: remove the paragraph."));

if (errors.Count > 0)
{
    // MSBuild's Exec turns these file(line): error lines into build errors.
    foreach (var error in errors) Console.WriteLine(error);
    return 1;
}
MamlWriter.Write(options["--output"], cmdlets.Select(c => (c, helps[c.Name])));
Console.WriteLine($"MetricaCrm.HelpGen: help for {cmdlets.Count} cmdlets written to {options["--output"]}");
return 0;
