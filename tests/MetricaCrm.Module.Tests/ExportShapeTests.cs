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
        var r = s.Run($"Import-CrmClient '{file}' -TimeZone 'Europe/Moscow' | Send-MetricaContact -CounterId {Counter} {ModuleSession.Api} -Wait");
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

        // Each value left out is one warning with its file, line, column, value and reason.
        var birth = Assert.Single(r.Warnings, w => w.Message.Contains("'Дата рождения'"));
        Assert.Equal($"{file}, line 3: column 'Дата рождения', value '14.03.1965' left out, the record kept without it: " +
                     "Metrica takes a date from 1970 on (Metrica does not accept earlier dates) [DateBefore1970]", birth.Message);
        var update = Assert.Single(r.Warnings, w => w.Message.Contains("'Дата изменения'"));
        Assert.StartsWith($"{file}, line 3: column 'Дата изменения', value '01.01.1900 00:00:00' left out", update.Message);
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
        Assert.StartsWith("read 3 rows, emitted 3, rejected 0 (2 optional value(s) left out of emitted records, each a warning)", Summary(r));
        Assert.Equal(2, r.Warnings.Count);
    }
}
