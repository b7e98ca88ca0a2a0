using System.Reflection;

namespace MetricaCrm.HelpGen;

/// <summary>One [Parameter] attribute: how the parameter binds in one parameter set.</summary>
public sealed record ParameterBinding(string SetName, bool Mandatory, int? Position, bool ByValue, bool ByPropertyName);

/// <summary>A cmdlet parameter as PowerShell will bind it, read from the property and its attributes.</summary>
public sealed record CmdletParameter(
    string Name,
    string TypeName,
    string TypeFullName,
    bool IsSwitch,
    bool IsArray,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<string> AcceptedValues,
    bool SupportsWildcards,
    IReadOnlyList<ParameterBinding> Bindings);

public sealed record CmdletInfo(string Name, string Verb, string Noun, string? DefaultParameterSet, IReadOnlyList<CmdletParameter> Parameters);

/// <summary>
/// Finds the cmdlets of a compiled module through System.Reflection.MetadataLoadContext, so the net472 DLL and the
/// PowerShellStandard reference it was compiled against are inspected as metadata, never loaded for execution.
/// </summary>
public static class CmdletMetadata
{
    private const string Sma = "System.Management.Automation.";
    public const string AllParameterSets = "__AllParameterSets";

    /// <summary>The cmdlets of <paramref name="assemblyPath"/>; <paramref name="references"/> are its compile references.</summary>
    public static List<CmdletInfo> Read(string assemblyPath, IEnumerable<string> references)
    {
        var paths = references.Append(assemblyPath).Distinct(StringComparer.OrdinalIgnoreCase);
        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths), "mscorlib");
        var assembly = context.LoadFromAssemblyPath(assemblyPath);
        var cmdlets = new List<CmdletInfo>();
        foreach (var type in assembly.GetExportedTypes().Where(t => t.IsClass && !t.IsAbstract))
        {
            var cmdlet = Attribute(type.GetCustomAttributesData(), "CmdletAttribute");
            if (cmdlet == null) continue;
            string verb = (string)cmdlet.ConstructorArguments[0].Value!, noun = (string)cmdlet.ConstructorArguments[1].Value!;
            var parameters = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(ReadParameter).OfType<CmdletParameter>().ToList();
            // -WhatIf and -Confirm are added by PowerShell, but a user needs to know what they do for this cmdlet.
            if (Named(cmdlet, "SupportsShouldProcess") is true)
                parameters.AddRange(new[] { "WhatIf", "Confirm" }.Select(name => new CmdletParameter(name, "SwitchParameter",
                    Sma + "SwitchParameter", true, false, name == "WhatIf" ? new[] { "wi" } : new[] { "cf" }, Array.Empty<string>(), false,
                    new[] { new ParameterBinding(AllParameterSets, false, null, false, false) })));
            cmdlets.Add(new CmdletInfo($"{verb}-{noun}", verb, noun, Named(cmdlet, "DefaultParameterSetName") as string, parameters));
        }
        return cmdlets.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    private static CmdletParameter? ReadParameter(PropertyInfo property)
    {
        var attributes = property.GetCustomAttributesData();
        var bindings = attributes.Where(a => a.AttributeType.FullName == Sma + "ParameterAttribute").Select(a => new ParameterBinding(
            Named(a, "ParameterSetName") as string ?? AllParameterSets,
            Named(a, "Mandatory") is true,
            Named(a, "Position") is int p && p >= 0 ? p : null,
            Named(a, "ValueFromPipeline") is true,
            Named(a, "ValueFromPipelineByPropertyName") is true)).ToList();
        if (bindings.Count == 0) return null;

        var type = property.PropertyType;
        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1") type = type.GetGenericArguments()[0];
        var accepted = type.IsEnum
            ? type.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name).ToList()
            : Strings(Attribute(attributes, "ValidateSetAttribute"));
        return new CmdletParameter(
            property.Name,
            type.Name,
            type.FullName ?? type.Name,
            type.FullName == Sma + "SwitchParameter",
            type.IsArray,
            Strings(Attribute(attributes, "AliasAttribute")),
            accepted,
            Attribute(attributes, "SupportsWildcardsAttribute") != null,
            bindings);
    }

    private static CustomAttributeData? Attribute(IEnumerable<CustomAttributeData> attributes, string name) =>
        attributes.FirstOrDefault(a => a.AttributeType.FullName == Sma + name);

    private static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

    /// <summary>The params string[] of [Alias(...)] or [ValidateSet(...)].</summary>
    private static List<string> Strings(CustomAttributeData? attribute) =>
        attribute == null ? new List<string>() : attribute.ConstructorArguments
            .SelectMany(a => a.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : new[] { a.Value })
            .OfType<string>().ToList();
}
