namespace MetricaCrm.Module.Tests;

/// <summary>Files named with wildcard characters are read, and a path that matches nothing is an error, never an empty import.</summary>
public sealed class LiteralPathTests
{
    private const string Csv = "id,create_date_time,emails\nA-1,2026-10-02 10:00,a@example.ru\n";

    [Fact]
    public async Task A_name_with_brackets_is_read_by_LiteralPath_and_by_Path()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders[1].csv", Csv);
        var literal = s.Run("Import-CrmOrder -LiteralPath $args[0]", file);
        Assert.Empty(literal.Errors);
        Assert.Single(literal.Output);
        var byPath = s.Run("Import-CrmOrder $args[0] -Verbose", file);
        Assert.Empty(byPath.Errors);
        Assert.Single(byPath.Output);
        Assert.Contains(byPath.Verbose, v => v.Message.Contains("read as the file of that exact name"));
        var piped = s.Run("[IO.FileInfo]::new($args[0]) | Import-CrmOrder", file);
        Assert.Single(piped.Output);
    }

    [Fact]
    public async Task A_pattern_or_a_literal_path_that_matches_nothing_is_FileNotFound()
    {
        await using var s = await ModuleSession.StartAsync();
        var pattern = s.Run("Import-CrmOrder ([IO.Path]::Combine($work, 'none-*.csv'))");
        Assert.Equal(new[] { "FileNotFound" }, pattern.ErrorIds);
        Assert.Contains("No file matches", pattern.Errors[0].Exception.Message);
        var literal = s.Run("Import-CrmOrder -LiteralPath ([IO.Path]::Combine($work, 'none[1].csv'))");
        Assert.Equal(new[] { "FileNotFound" }, literal.ErrorIds);
        Assert.Empty(pattern.Output);
    }
}
