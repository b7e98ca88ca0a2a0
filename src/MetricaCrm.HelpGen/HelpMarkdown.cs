using System.Text.RegularExpressions;

namespace MetricaCrm.HelpGen;

public sealed record ParameterHelp(string Name, int Line, IReadOnlyList<string> Paragraphs, string? DefaultValue);

public sealed record ExampleHelp(string Title, int Line, string Code, IReadOnlyList<string> Remarks);

/// <summary>An input or output type and what it means for this cmdlet.</summary>
public sealed record TypeHelp(string TypeName, IReadOnlyList<string> Paragraphs);

public sealed record LinkHelp(string Text, string Uri);

public sealed class CmdletHelp
{
    public required string File { get; init; }
    public required string Name { get; init; }
    public List<string> Synopsis { get; } = new();
    public List<string> Description { get; } = new();
    public List<ParameterHelp> Parameters { get; } = new();
    public List<ExampleHelp> Examples { get; } = new();
    public List<TypeHelp> Inputs { get; } = new();
    public List<TypeHelp> Outputs { get; } = new();
    public List<string> Notes { get; } = new();
    public List<LinkHelp> Links { get; } = new();
}

/// <summary>A problem in the help sources, reported as file(line): error so MSBuild shows it as a build error.</summary>
public sealed record HelpError(string File, int Line, string Message)
{
    public override string ToString() => $"{File}({Math.Max(Line, 1)}): error MCHELP: {Message}";
}

/// <summary>
/// Reads one cmdlet's help in the fixed shape documented in src/MetricaCrm/Help/README.md. Anything outside that
/// shape is an error rather than silently dropped, so a typo in a heading cannot lose text from the help.
/// </summary>
public static partial class HelpMarkdown
{
    private static readonly string[] Sections = { "Synopsis", "Description", "Parameters", "Examples", "Inputs", "Outputs", "Notes", "Related Links" };
    private static readonly string[] RequiredSections = { "Synopsis", "Description", "Parameters", "Examples", "Inputs", "Outputs" };

    public static CmdletHelp Parse(string file, string text, List<HelpError> errors)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        void Error(int line, string message) => errors.Add(new HelpError(file, line, message));

        var h1 = Array.FindIndex(lines, l => l.StartsWith("# ", StringComparison.Ordinal));
        var help = new CmdletHelp { File = file, Name = h1 < 0 ? "" : lines[h1][2..].Trim() };
        if (h1 < 0) Error(1, "The file has no '# Verb-Noun' title.");

        foreach (var section in Split(lines, h1 + 1, lines.Length, "## "))
        {
            var body = Split(lines, section.Start, section.End, "### ");
            var intro = Paragraphs(lines, section.Start, body.Count > 0 ? body[0].HeadingLine : section.End);
            switch (section.Heading)
            {
                case "Synopsis": help.Synopsis.AddRange(intro); break;
                case "Description": help.Description.AddRange(AllText(lines, section)); break;
                case "Notes": help.Notes.AddRange(AllText(lines, section)); break;
                case "Parameters":
                    help.Parameters.AddRange(ReadParameters(lines, body, Error));
                    break;
                case "Examples":
                    foreach (var e in body)
                    {
                        var (code, remarks) = CodeAndRemarks(lines, e.Start, e.End);
                        if (code == null) Error(e.HeadingLine + 1, $"'{e.Heading}' has no ```powershell code block.");
                        help.Examples.Add(new ExampleHelp(e.Heading, e.HeadingLine + 1, code ?? "", remarks));
                    }
                    break;
                case "Inputs":
                case "Outputs":
                    var types = section.Heading == "Inputs" ? help.Inputs : help.Outputs;
                    if (body.Count == 0) Error(section.HeadingLine + 1, $"'## {section.Heading}' lists its types as '### TypeName' (or '### None').");
                    types.AddRange(body.Select(t => new TypeHelp(t.Heading, Paragraphs(lines, t.Start, t.End))));
                    break;
                case "Related Links":
                    foreach (var item in intro)
                    {
                        var link = LinkPattern().Match(item);
                        help.Links.Add(link.Success ? new LinkHelp(link.Groups[1].Value, link.Groups[2].Value) : new LinkHelp(item.TrimStart('-', '*', ' '), ""));
                    }
                    break;
                default:
                    Error(section.HeadingLine + 1, $"Unknown section '## {section.Heading}'; the sections are: {string.Join(", ", Sections)}.");
                    break;
            }
            if (section.Heading is "Parameters" or "Examples" or "Inputs" or "Outputs" && intro.Count > 0)
                Error(section.Start + 1, $"Text under '## {section.Heading}' belongs under a '###' heading.");
        }

        var present = Split(lines, h1 + 1, lines.Length, "## ").Select(s => s.Heading).ToHashSet();
        foreach (var missing in RequiredSections.Where(s => !present.Contains(s)))
            Error(1, $"The section '## {missing}' is missing.");
        if (present.Contains("Synopsis") && help.Synopsis.Count == 0) Error(1, "'## Synopsis' is empty.");
        if (present.Contains("Description") && help.Description.Count == 0) Error(1, "'## Description' is empty.");
        return help;
    }

    /// <summary>
    /// The paragraphs of parameters that many cmdlets share (token, API address, retries...), kept once in _Shared.md:
    /// '# Shared parameters', then '## Parameters' with '### -Name' paragraphs. A cmdlet's own paragraph wins.
    /// </summary>
    public static List<ParameterHelp> ParseShared(string file, string text, List<HelpError> errors)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        void Error(int line, string message) => errors.Add(new HelpError(file, line, message));
        var sections = Split(lines, 0, lines.Length, "## ");
        var parameters = new List<ParameterHelp>();
        foreach (var section in sections)
        {
            if (section.Heading != "Parameters") { Error(section.HeadingLine + 1, "_Shared.md has only a '## Parameters' section."); continue; }
            parameters.AddRange(ReadParameters(lines, Split(lines, section.Start, section.End, "### "), Error));
        }
        return parameters;
    }

    private static List<ParameterHelp> ReadParameters(string[] lines, List<Block> body, Action<int, string> error)
    {
        var parameters = new List<ParameterHelp>();
        foreach (var p in body)
        {
            if (!p.Heading.StartsWith('-')) { error(p.HeadingLine + 1, $"A parameter heading is '### -Name', not '### {p.Heading}'."); continue; }
            // A 'Default:' line is the default value Get-Help shows apart, not part of the text.
            var block = lines[p.Start..p.End];
            int d = Array.FindIndex(block, l => l.StartsWith("Default:", StringComparison.Ordinal));
            string? defaultValue = d >= 0 ? block[d]["Default:".Length..].Trim() : null;
            if (d >= 0) block[d] = "";
            parameters.Add(new ParameterHelp(p.Heading[1..].Trim(), p.HeadingLine + 1, Paragraphs(block, 0, block.Length), defaultValue));
        }
        return parameters;
    }

    private sealed record Block(string Heading, int HeadingLine, int Start, int End);

    /// <summary>The blocks under headings with <paramref name="prefix"/> between two lines, ignoring fenced code.</summary>
    private static List<Block> Split(string[] lines, int from, int to, string prefix)
    {
        var starts = new List<int>();
        bool fenced = false;
        for (int i = from; i < to; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal)) fenced = !fenced;
            else if (!fenced && lines[i].StartsWith(prefix, StringComparison.Ordinal)) starts.Add(i);
        }
        return starts.Select((s, k) => new Block(lines[s][prefix.Length..].Trim(), s, s + 1, k + 1 < starts.Count ? starts[k + 1] : to)).ToList();
    }

    /// <summary>A whole section's text; its '###' headings become upper-case lines, as in Get-Help's own layout.</summary>
    private static List<string> AllText(string[] lines, Block section) => Paragraphs(lines, section.Start, section.End);

    /// <summary>
    /// Paragraphs separated by blank lines; each list item is a paragraph of its own, because Get-Help rewraps the
    /// text of a paragraph. Fenced code stays as written.
    /// </summary>
    private static List<string> Paragraphs(string[] lines, int from, int to)
    {
        var result = new List<string>();
        var current = new List<string>();
        void Flush()
        {
            if (current.Count > 0) result.Add(Inline(string.Join(" ", current)));
            current.Clear();
        }
        for (int i = from; i < to; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                Flush();
                var code = new List<string>();
                for (i++; i < to && !lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal); i++) code.Add("    " + lines[i]);
                result.Add(string.Join("\n", code));
                continue;
            }
            if (line.StartsWith("#", StringComparison.Ordinal))
            {
                Flush();
                result.Add(line.TrimStart('#', ' ').ToUpperInvariant());
                continue;
            }
            if (line.Trim().Length == 0) { Flush(); continue; }
            if (ListItem().IsMatch(line)) Flush();
            current.Add(line.Trim());
        }
        Flush();
        return result;
    }

    private static (string? Code, List<string> Remarks) CodeAndRemarks(string[] lines, int from, int to)
    {
        int open = Array.FindIndex(lines, from, to - from, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
        if (open < 0) return (null, Paragraphs(lines, from, to));
        int close = Array.FindIndex(lines, open + 1, to - open - 1, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
        if (close < 0) return (null, new List<string>());
        var code = string.Join("\n", lines[(open + 1)..close]);
        var remarks = Paragraphs(lines, from, open);
        remarks.AddRange(Paragraphs(lines, close + 1, to));
        return (code, remarks);
    }

    /// <summary>Markdown emphasis and code spans as plain console text.</summary>
    private static string Inline(string text) => CodeSpan().Replace(text.Replace("**", ""), "$1");

    [GeneratedRegex(@"^\s*([-*]|\d+\.)\s")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\[([^\]]+)\]\(([^)]*)\)")]
    private static partial Regex LinkPattern();
}
