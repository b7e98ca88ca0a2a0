using System.Management.Automation;
using System.Text;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// What a user sees of input and state the module cannot take: a cell too large to be data, a journal that cannot be
/// opened, a file in an encoding that is not the one detected. One stable ErrorId each, located, with what to do.
/// </summary>
public sealed class BoundsTests
{
    private const string Map = "@{ new = 'IN_PROGRESS'; paid = 'PAID' }";

    private static IEnumerable<ErrorRecord> AllErrors(RunResult r) =>
        r.Errors.Concat(r.Terminating is IContainsErrorRecord t ? new[] { t.ErrorRecord } : Array.Empty<ErrorRecord>());

    private static ErrorRecord Single(RunResult r, string errorId) =>
        Assert.Single(AllErrors(r), e => e.FullyQualifiedErrorId.Split(',')[0] == errorId);

    private static string Shown(ErrorRecord e) => e.ErrorDetails?.Message ?? e.Exception.Message;

    [Fact]
    public async Task A_megabyte_cell_is_one_short_located_error_and_the_rows_after_it_are_imported()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", "id,create_date_time,emails,order_status\n" +
            "O-1,2026-11-20 10:00:00,a@example.ru,paid\n" +
            $"O-2,2026-11-20 10:00:00,{new string('b', 1 << 20)},paid\n" +
            "O-3,2026-11-20 10:00:00,c@example.ru,paid\n");
        var rejects = Path.Combine(s.WorkDir, "rejects.csv");
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone UTC -RejectPath '{rejects}'");

        Assert.Equal(new[] { "O-1", "O-3" }, r.Output.Select(o => (string)o.Properties["Id"].Value));
        var error = Single(r, "ValueTooLong");
        Assert.Contains("orders.csv, line 3: column 'emails', value 'bbbb", error.Exception.Message);
        Assert.Contains("…' (1,048,576 characters): a value of at most 32,768 characters", error.Exception.Message);
        Assert.True(error.Exception.Message.Length < 600, error.Exception.Message);
        Assert.True(new FileInfo(rejects).Length < 2_000, $"reject file of {new FileInfo(rejects).Length:N0} bytes");
        Assert.Contains("(1,048,576 characters)", File.ReadAllText(rejects));
    }

    public static TheoryData<string> BrokenJournals => new() { "not a database", "a folder" };

    private static string Break(ModuleSession s, string how)
    {
        var path = Path.Combine(s.WorkDir, "journal.db");
        if (how == "a folder") Directory.CreateDirectory(path);
        else File.WriteAllText(path, string.Concat(Enumerable.Repeat("id,create_date_time\nO-1,2026-11-20\n", 300)));
        return path;
    }

    [Theory]
    [MemberData(nameof(BrokenJournals))]
    public async Task Every_command_that_opens_an_unusable_journal_gives_UploadJournalUnavailable_with_the_path_and_the_fix(string how)
    {
        await using var s = await ModuleSession.StartAsync();
        var journal = Break(s, how);
        var file = s.WriteFile("orders.csv", "id,create_date_time,emails,order_status\nO-1,2026-11-20 10:00:00,a@example.ru,paid\n");

        var send = s.Run($"Import-CrmOrder '{file}' -TimeZone UTC | Convert-MetricaStatus -Map {Map} | Send-MetricaConversion -CounterId 7 {ModuleSession.Api}");
        var resume = s.Run($"Resume-MetricaUpload -CounterId 7 {ModuleSession.Api}");
        var list = s.Run("Get-MetricaUploadJournal -CounterId 7");
        foreach (var r in new[] { send, resume, list })
        {
            var error = Single(r, "UploadJournalUnavailable");
            Assert.Equal(journal, error.TargetObject);
            Assert.Contains($"The upload journal at {journal} cannot be used: " + (how == "a folder" ? "a folder is in its place" : "the file is not an SQLite database"), Shown(error));
            Assert.Contains("-JournalPath", Shown(error));
            Assert.Contains("-NoJournal", error.ErrorDetails.RecommendedAction);
            Assert.DoesNotContain(AllErrors(r), e => e.FullyQualifiedErrorId.Contains("Sqlite", StringComparison.OrdinalIgnoreCase));
        }
        Assert.Empty(s.Requests("/upload"));

        var test = s.Run($"Test-MetricaConnection -CounterId 7 {ModuleSession.Api}");
        var check = Assert.Single(test.Output, o => (string)o.Properties["Check"].Value == "Upload journal");
        Assert.Equal("Fail", check.Properties["Verdict"].Value.ToString());
        Assert.Contains("UploadJournalUnavailable", (string)check.Properties["Detail"].Value);

        var without = s.Run($"Import-CrmOrder '{file}' -TimeZone UTC | Convert-MetricaStatus -Map {Map} | Send-MetricaConversion -CounterId 7 {ModuleSession.Api} -NoJournal");
        Assert.True(without.Errors.Count == 0 && without.Terminating == null, without.AllText());
    }

    [Fact]
    public async Task The_daily_template_exits_3_a_configuration_error_when_the_journal_is_unusable()
    {
        await using var s = await ModuleSession.StartAsync();
        Break(s, "not a database");
        var script = Path.Combine(RepoPaths.Root(), "samples", "Invoke-DailyUpload.ps1");
        var orders = s.WriteFile("orders.csv", "id,create_date_time,emails,order_status,revenue,currency\n" +
            $"D-1,{DateTime.UtcNow.AddDays(-1):yyyy-MM-dd HH:mm:ss},d-1@example.ru,paid,100,RUB\n");
        var logs = Path.Combine(s.WorkDir, "logs");
        var r = s.Run($"& '{script}' -OrdersPath '{orders}' -StatusMap @{{ 'paid' = 'PAID' }} -CounterId 12345 " +
                      $"-LogFolder '{logs}' -TimeZone UTC -ApiBaseUri $api -Token $token; $LASTEXITCODE");
        var log = File.ReadAllText(Assert.Single(Directory.GetFiles(logs, "daily-upload-*.log")), Encoding.UTF8);
        Assert.True(Convert.ToInt32(r.Output[^1].BaseObject) == 3, log);
        Assert.Contains("UploadJournalUnavailable", log);
    }

    [Fact]
    public async Task A_UTF_16_export_without_a_BOM_is_imported_as_UTF_16()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteBytes("unicode.csv", new UnicodeEncoding(false, false).GetBytes(
            "id,create_date_time,emails,order_status\r\nЗ-1,2026-11-20 10:00:00,a@example.ru,paid\r\n"));
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone UTC -Verbose");
        Assert.True(r.Errors.Count == 0, r.AllText());
        Assert.Equal("З-1", (string)Assert.Single(r.Output).Properties["Id"].Value);
        Assert.Contains(r.Verbose, v => v.Message.Contains("utf-16"));
    }

    [Fact]
    public async Task One_bad_byte_in_a_UTF_8_file_names_its_line_and_column_and_the_options_that_read_the_file()
    {
        await using var s = await ModuleSession.StartAsync();
        var utf8 = new UTF8Encoding(false);
        var file = s.WriteBytes("orders.csv", utf8.GetBytes("id,create_date_time,emails,order_status,client_uniq_id\n" +
                "З-1,2026-11-20 10:00:00,a@example.ru,paid,Ёлка\nЗ-2,2026-11-20 10:00:00,b@example.ru,paid,Ромашка")
            .Concat(new byte[] { 0xC0 }).Concat(utf8.GetBytes("\nЗ-3,2026-11-20 10:00:00,c@example.ru,paid,Ёж\n")).ToArray());

        var refused = s.Run($"Import-CrmOrder '{file}' -TimeZone UTC");
        Assert.Empty(refused.Output);
        var error = Single(refused, "UnsupportedEncoding");
        Assert.Contains("orders.csv, line 3, column 50 (byte ", Shown(error));
        Assert.Contains("byte 0xC0 after '", Shown(error));
        Assert.Contains("-Encoding UTF8", Shown(error));
        Assert.Contains("-Encoding windows-1251", Shown(error));

        var read = s.Run($"Import-CrmOrder '{file}' -TimeZone UTC -Encoding UTF8");
        Assert.Equal(new[] { "З-1", "З-3" }, read.Output.Select(o => (string)o.Properties["Id"].Value));
        Assert.Contains("line 3", Single(read, "InvalidEncoding").Exception.Message);
    }
}
