namespace MetricaCrm.Module.Tests;

/// <summary>
/// A standard amoCRM export has several phone and e-mail columns: all are read into the record's lists and sent;
/// an identifier column no header rule knows is named in one warning with the -ColumnMap that reads it.
/// </summary>
public sealed class AmoCrmExportTests
{
    [Fact]
    public async Task Every_phone_and_email_column_is_read_and_sent()
    {
        await using var s = await ModuleSession.StartAsync();
        string day = DateTime.Now.AddDays(-1).ToString("dd.MM.yyyy HH:mm");
        var file = s.WriteFile("amocrm.csv",
            "ID;Дата создания;Телефон;Рабочий телефон;Мобильный телефон;Email;Рабочий email;Личный email;Статус;additionalPhone\n" +
            $"101;{day};+7 999 555-11-11;;8 (999) 555-22-22;a@example.ru;;b@example.ru;paid;+7 999 555-33-33\n");
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' -WarningVariable w | Convert-MetricaStatus -Map @{{ paid = 'PAID' }} | " +
            $"Send-MetricaConversion -CounterId 7 {ModuleSession.Api}; $w");
        Assert.Empty(r.Errors);
        var stored = s.Counter(7).Orders["101"];
        Assert.Equal(new[] { "79995551111", "79995552222" }, stored.Phones);
        Assert.Equal(new[] { "a@example.ru", "b@example.ru" }, stored.Emails);
        var warning = Assert.Single(r.Warnings, x => x.Message.Contains("look like phones"));
        Assert.Contains("'additionalPhone'", warning.Message);
        Assert.Contains("phones = 'Телефон', 'Рабочий телефон', 'Мобильный телефон', 'additionalPhone'", warning.Message);

        // The suggested map reads the last one too.
        var mapped = s.Run($"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' -ColumnMap @{{ phones = 'Телефон', 'Мобильный телефон', 'additionalPhone' }}");
        Assert.Empty(mapped.Errors);
        Assert.Equal(new[] { "79995551111", "79995552222", "79995553333" }, PropertyValues.Strings(Assert.Single(mapped.Output), "Phones"));
    }
}
