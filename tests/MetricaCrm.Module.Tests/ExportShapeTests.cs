using System.Net.Http.Json;
using MetricaCrm.Sandbox.Cdp;

namespace MetricaCrm.Module.Tests;

/// <summary>
/// Issue 21: files shaped like real CRM exports (Exports/, each shape's source in Exports/README.md) read right, piped
/// through Import-Crm* and, where it matters, Send-* into the sandbox, and checked field by field where they landed.
/// </summary>
public sealed class ExportShapeTests
{
    private const long Counter = 2121;

    private static string Export(string name) => Path.Combine(AppContext.BaseDirectory, "Exports", name);

    private static string Summary(RunResult r) =>
        Assert.Single(r.Information, i => i.Tags.Contains("Summary")).MessageData.ToString()!;

    [Fact]
    public async Task A_birth_date_before_1970_is_left_out_with_a_warning_and_the_contact_is_sent_with_its_phones_and_emails()
    {
        await using var s = await ModuleSession.StartAsync();
        string file = Export("bitrix24-contacts.csv");
        var r = s.Run($"Import-CrmClient '{file}' -TimeZone 'Europe/Moscow' | Send-MetricaContact -CounterId {Counter} -Format Json {ModuleSession.Api} -Wait"); // user_comment: JSON only
        Assert.Empty(r.Errors);

        var stored = (await s.Http.GetFromJsonAsync<List<StoredContact>>($"/sandbox/counters/{Counter}/contacts"))!.ToDictionary(c => c.UniqId);
        Assert.Equal(new[] { "101", "102", "103" }, stored.Keys.Order());
        var sergey = stored["102"];
        Assert.Equal("79995552222", sergey.Fields["phones"]);
        Assert.Equal("sergey@example.ru", sergey.Fields["emails"]);
        Assert.Equal("Сергей", sergey.Fields["name"]);
        Assert.Equal("2026-11-16 11:00:00", sergey.Fields["create_date_time"]);
        Assert.False(sergey.Fields.ContainsKey("birth_date"));
        Assert.False(sergey.Fields.ContainsKey("update_date_time"));
        Assert.Equal("1990-05-01", stored["101"].Fields["birth_date"]);

        // The values left out of one record are one warning with its file and line, and each value's column, value and reason.
        var warning = Assert.Single(r.Warnings, w => w.Message.Contains("'Дата рождения'"));
        Assert.Equal($"{file}, line 3: left out column 'Дата рождения', value '14.03.1965': a date from 1970 on (Metrica does not accept earlier dates) [DateBefore1970]; " +
                     "column 'Дата изменения', value '01.01.1900 00:00:00': ", warning.Message.Substring(0, warning.Message.IndexOf("00:00:00': ", StringComparison.Ordinal) + 11));
        Assert.EndsWith("[DateBefore1970]; the record is kept without them", warning.Message);
    }

    [Fact]
    public async Task The_import_summary_counts_the_values_left_out_and_still_reconciles()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"Import-CrmClient '{Export("bitrix24-contacts.csv")}' -TimeZone 'Europe/Moscow'");
        Assert.Empty(r.Errors);
        Assert.Equal(3, r.Output.Count);
        Assert.Null(r.Output[1].Properties["BirthDate"].Value);
        Assert.Equal(new[] { "79995552222" }, PropertyValues.Strings(r.Output[1], "Phones"));
        Assert.StartsWith("read 3 rows, emitted 3, rejected 0; 1 emitted with 2 value(s) left out (see the warnings)", Summary(r));
        Assert.Single(r.Warnings);
    }

    [Fact]
    public async Task A_pipeline_object_born_before_1970_is_sent_without_its_birth_date_and_with_a_warning()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"[pscustomobject]@{{ ID = 'K-7'; 'Дата рождения' = '14.03.1965'; 'Телефон' = '+7 999 555-77-77' }} | " +
                      $"Send-MetricaContact -CounterId {Counter} {ModuleSession.Api} -Wait");
        Assert.Empty(r.Errors);
        var stored = Assert.Single((await s.Http.GetFromJsonAsync<List<StoredContact>>($"/sandbox/counters/{Counter}/contacts"))!);
        Assert.Equal(("K-7", "79995557777"), (stored.UniqId, stored.Fields["phones"]));
        Assert.False(stored.Fields.ContainsKey("birth_date"));
        Assert.Single(r.Warnings, w => w.Message.StartsWith("pipeline object, line 1: left out column 'Дата рождения', value '14.03.1965': a date from 1970 on"));
    }

    [Fact]
    public async Task A_file_that_escapes_quotes_with_a_backslash_is_refused_before_any_row_with_the_option_that_reads_it()
    {
        await using var s = await ModuleSession.StartAsync();
        string file = Export("bitrix24-loader-contacts.csv");
        var r = s.Run($"Import-CrmClient '{file}' -TimeZone 'Europe/Moscow'");
        Assert.Empty(r.Output);
        var error = Assert.Single(r.Errors);
        Assert.Equal("BackslashEscapedQuote", r.ErrorIds.Single());
        Assert.StartsWith($"{file}, line 2, column ", error.Exception.Message);
        Assert.Contains("it is to be read as a file that escapes quotes with a backslash", error.Exception.Message);
        Assert.EndsWith("Fix: read the file with -QuoteEscape Backslash.", error.ErrorDetails.Message);
    }

    [Fact]
    public async Task With_QuoteEscape_Backslash_the_quotes_delimiters_and_backslashes_in_values_land_as_written()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"Import-CrmClient '{Export("bitrix24-loader-contacts.csv")}' -QuoteEscape Backslash -TimeZone 'Europe/Moscow' | " +
                      $"Send-MetricaContact -CounterId {Counter} -Format Json {ModuleSession.Api} -Wait"); // user_comment: JSON only
        Assert.Empty(r.Errors);
        var stored = (await s.Http.GetFromJsonAsync<List<StoredContact>>($"/sandbox/counters/{Counter}/contacts"))!.ToDictionary(c => c.UniqId);
        Assert.Equal(new[] { "201", "202", "203" }, stored.Keys.Order());
        Assert.Equal("Директор ООО \"Ромашка\"; закупки", stored["201"].Fields["user_comment"]);
        Assert.Equal("79995554444", stored["201"].Fields["phones"]);
        Assert.Equal("olga@example.ru", stored["201"].Fields["emails"]);
        Assert.Equal("2026-11-18 10:00:00", stored["201"].Fields["create_date_time"]);
        Assert.Equal(@"Папка C:\Clients\Пётр", stored["202"].Fields["user_comment"]);
        Assert.False(stored["203"].Fields.ContainsKey("user_comment"));
    }

    [Fact]
    public async Task A_backslash_quote_past_the_first_rows_rejects_its_row_with_the_option_that_reads_it()
    {
        await using var s = await ModuleSession.StartAsync();
        var rows = string.Concat(Enumerable.Range(1, 250).Select(i => $"\"{i}\";\"c{i}@example.ru\";\"обычный\"\n"));
        var file = s.WriteFile("late.csv", "\"ID\";\"E-mail\";\"Комментарий\"\n" + rows + "\"251\";\"x@example.ru\";\"ООО \\\"Ромашка\\\"\"\n");
        var r = s.Run($"Import-CrmClient '{file}'");
        Assert.Equal(250, r.Output.Count);
        var error = Assert.Single(r.Errors);
        Assert.Equal("BackslashEscapedQuote", r.ErrorIds.Single());
        Assert.StartsWith($"{file}, line 252: ", error.Exception.Message);
        Assert.EndsWith("Fix: read the file with -QuoteEscape Backslash.", error.ErrorDetails.Message);
        Assert.StartsWith("read 251 rows, emitted 250, rejected 1", Summary(r));
    }

    [Fact]
    public async Task Day_first_slash_dates_and_three_decimal_amounts_are_read_as_the_files_other_values_settle()
    {
        await using var s = await ModuleSession.StartAsync();
        string file = Export("bitrix24-deals-en-gb.csv");
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone 'Asia/Kuwait' -Verbose");
        var byId = r.Output.ToDictionary(o => (string)o.Properties["Id"].Value);
        Assert.Equal(new[] { "301", "302" }, byId.Keys.Order());
        Assert.Equal(new DateTimeOffset(2026, 11, 3, 9, 5, 0, TimeSpan.FromHours(3)), byId["301"].Properties["CreateDateTime"].Value);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 14, 30, 0, TimeSpan.FromHours(3)), byId["302"].Properties["CreateDateTime"].Value);
        Assert.Equal(894.729m, byId["301"].Properties["Revenue"].Value);
        Assert.Equal(12.5m, byId["302"].Properties["Revenue"].Value);
        Assert.Contains(r.Verbose, v => v.Message == $"{file}: column 'Created': dates read as dd/MM/yyyy: its values such as '25/11/2026 14:30:00' have a day over 12 first");
        Assert.Contains(r.Verbose, v => v.Message.StartsWith($"{file}: column 'Amount': amount read as 894.729: the column writes '.' as its decimal mark (as in '12.5')"));

        // "1,500" stays refused: nothing in the column says whether ',' groups thousands or marks decimals.
        var error = Assert.Single(r.Errors);
        Assert.Equal("AmbiguousAmount", r.ErrorIds.Single());
        Assert.StartsWith($"{file}, line 4: column 'Amount', value '1,500'", error.Exception.Message);
    }

    [Theory]
    [InlineData("ru-RU")]
    [InlineData("en-GB")]
    [InlineData("en-US")]
    public async Task Slash_dates_no_value_settles_are_read_in_the_cultures_order_with_a_warning_or_refused(string culture)
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("deals.csv", "ID,Created,E-mail\n401,04/11/2026 9:05:00,a@example.com\n402,05/11/2026,b@example.com\n");
        var r = s.Run($"[cultureinfo]::CurrentCulture = '{culture}'; Import-CrmOrder '{file}' -TimeZone UTC");
        if (culture == "ru-RU")
        {
            Assert.Empty(r.Output);
            Assert.Equal(new[] { "AmbiguousDate", "AmbiguousDate" }, r.ErrorIds);
            Assert.Contains("'04/11/2026 9:05:00' may be dd/MM or MM/dd", r.Errors[0].Exception.Message);
            Assert.Contains("culture 'ru-RU' writes no dates with '/'", r.Errors[0].Exception.Message);
            Assert.Contains("Fix: export the dates as dd.MM.yyyy or yyyy-MM-dd, or read the file in the culture that wrote it", r.Errors[0].ErrorDetails.Message);
            return;
        }
        Assert.Empty(r.Errors);
        var first = (DateTimeOffset)r.Output[0].Properties["CreateDateTime"].Value;
        Assert.Equal(culture == "en-GB" ? new DateTimeOffset(2026, 11, 4, 9, 5, 0, TimeSpan.Zero) : new DateTimeOffset(2026, 4, 11, 9, 5, 0, TimeSpan.Zero), first);
        var warning = Assert.Single(r.Warnings);
        Assert.Equal($"{file}: column 'Created': dates such as '04/11/2026 9:05:00' read as {(culture == "en-GB" ? "dd/MM/yyyy" : "MM/dd/yyyy")}, " +
                     $"the order of culture '{culture}': no value in the column's first rows has a day over 12 to settle it", warning.Message);
    }

    [Fact]
    public async Task A_date_and_a_timestamp_column_stop_the_file_with_the_map_that_reads_one_and_the_map_sends_it()
    {
        await using var s = await ModuleSession.StartAsync();
        var instant = DateTimeOffset.UtcNow.AddHours(-5);
        long epoch = instant.ToUnixTimeSeconds();
        string day = instant.ToString("yyyy-MM-dd");
        var file = s.WriteFile("conversions.csv", $"ClientId,Target,date,timestamp,Price\n133591247640966458,order_confirmed,{day},{epoch},1.500\n");

        var refused = s.Run($"Import-CrmConversion '{file}'");
        Assert.Empty(refused.Output);
        Assert.Equal("AmbiguousColumn", refused.ErrorIds.Single());
        Assert.Contains($"datetime is ambiguous: columns 'date' (such as '{day}'), 'timestamp' (such as '{epoch}') all mean it; " +
                        "map datetime to the one meant (datetime = 'date' or datetime = 'timestamp')", refused.Errors[0].Exception.Message);
        Assert.EndsWith("Fix: choose the column with -ColumnMap @{ field = 'header' }.", refused.Errors[0].ErrorDetails.Message);

        var r = s.Run($"Import-CrmConversion '{file}' -ColumnMap @{{ datetime = 'timestamp' }} | Send-MetricaOfflineConversion -CounterId {Counter} {ModuleSession.Api}");
        Assert.Empty(r.Errors);
        var lines = Assert.Single(s.Counter(Counter).Offline.Uploads).FileText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Price is Metrica's own column, documented with '.' as the decimal mark: 1.500 is 1.5.
        Assert.StartsWith($"133591247640966458,order_confirmed,{epoch},1.5", lines[1]);
    }
}
