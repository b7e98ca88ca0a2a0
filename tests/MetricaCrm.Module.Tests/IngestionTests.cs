using System.Text;

namespace MetricaCrm.Module.Tests;

/// <summary>Issue 3: Import-CrmOrder and Import-CrmClient on the files and objects admins actually have.</summary>
public sealed class IngestionTests
{
    private const string RuHeader = "Номер заказа;Дата создания;Телефон;E-mail;Статус;Сумма";
    private const string RuRow = "З-1;02.10.2026 10:07;8 (999) 555-11-11;Иван@Example.ru;Оплачен;1 234,50";

    private static void AssertRuOrder(PSObject o)
    {
        Assert.Equal("З-1", o.Properties["Id"].Value);
        Assert.Equal(new[] { "79995551111" }, PropertyValues.Strings(o, "Phones"));
        Assert.Equal("Оплачен", o.Properties["OrderStatus"].Value);
        Assert.Equal(1234.50m, o.Properties["Revenue"].Value);
        Assert.Equal(DateTimeOffset.Parse("2026-10-02T07:07:00Z"), o.Properties["CreateDateTime"].Value);
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("utf-8-bom")]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    [InlineData("windows-1251")]
    public async Task Encodings_are_detected(string encoding)
    {
        await using var s = await ModuleSession.StartAsync();
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var text = RuHeader + "\r\n" + RuRow.Replace("Иван@", "ivan@") + "\r\n";
        Encoding enc = encoding switch
        {
            "utf-8" => new UTF8Encoding(false),
            "utf-8-bom" => new UTF8Encoding(true),
            "utf-16le" => new UnicodeEncoding(false, true),
            "utf-16be" => new UnicodeEncoding(true, true),
            _ => Encoding.GetEncoding(1251),
        };
        var file = s.WriteBytes("orders.csv", enc.GetPreamble().Concat(enc.GetBytes(text)).ToArray());
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' -Verbose");
        Assert.Empty(r.Errors);
        AssertRuOrder(Assert.Single(r.Output));
        Assert.Contains(r.Verbose, v => v.Message.Contains("delimiter ';'"));
    }

    [Fact]
    public async Task A_file_that_is_neither_UTF8_nor_1251_is_a_clear_error()
    {
        await using var s = await ModuleSession.StartAsync();
        var bytes = Encoding.ASCII.GetBytes("id,create_date_time,emails\nA-1,2026-10-02 10:00,").Concat(new byte[] { 0x81, 0x00, 0xFF, 0x01, 0x90, 0x8D }).ToArray();
        var file = s.WriteBytes("binary.csv", bytes);
        var r = s.Run($"Import-CrmOrder '{file}'");
        Assert.Equal("UnsupportedEncoding", Assert.Single(r.ErrorIds));
        Assert.Contains("-Encoding", r.Errors[0].ToString()); // the cmdlet's fix, after the engine's message
        Assert.Empty(r.Output);
    }

    [Fact]
    public async Task Tab_delimited_quoted_multiline_CRLF_and_trailing_empty_line()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.tsv",
            "id\tcreate_date_time\temails\tphones\torder_status\r\n" +
            "A-1\t2026-10-02 10:00\t\"a@b.ru,\r\nc@d.ru\"\t\"+7 999 555 11 11\"\t\"paid \"\"fast\"\"\"\r\n" +
            "A-2\t2026-10-02 10:00\tx@y.ru\t\tnew\r\n\r\n");
        var r = s.Run($"Import-CrmOrder '{file}'");
        Assert.Empty(r.Errors);
        Assert.Equal(2, r.Output.Count);
        Assert.Equal(new[] { "a@b.ru", "c@d.ru" }, PropertyValues.Strings(r.Output[0], "Emails"));
        Assert.Equal("paid \"fast\"", r.Output[0].Properties["OrderStatus"].Value);
        Assert.Equal(4L, r.Output[1].Properties["SourceLine"].Value); // the quoted line break counts
    }

    [Fact]
    public async Task Files_come_as_paths_file_objects_or_strings_on_the_pipeline()
    {
        await using var s = await ModuleSession.StartAsync();
        var a = s.WriteFile("a.csv", "id,create_date_time,phones\nA-1,2026-10-02 10:00,89995551111\n");
        var b = s.WriteFile("b.csv", "id,create_date_time,phones\nB-1,2026-10-02 10:00,89995552222\n");
        var r = s.Run($"[IO.FileInfo]'{a}', '{b}' | Import-CrmOrder; Import-CrmOrder '{Path.Combine(s.WorkDir, "*.csv")}'");
        Assert.Empty(r.Errors);
        Assert.Equal(new[] { "A-1", "B-1", "A-1", "B-1" }, r.Output.Select(o => (string)o.Properties["Id"].Value));
        var missing = s.Run($"Import-CrmOrder '{Path.Combine(s.WorkDir, "nope.csv")}'");
        Assert.Equal("FileNotFound", Assert.Single(missing.ErrorIds));
    }

    [Fact]
    public async Task Rows_of_the_wrong_shape_are_rejected_not_guessed()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", "id,create_date_time,phones,revenue,currency\n" +
            "A-1,2026-10-02 10:00,89995551111,1,234.50,RUB\n" +                // unquoted comma shifts the columns
            "A-2,2026-10-02 10:00,89995552222,10,RUB\n" +
            "A-3,2026-10-02 10:00,\"89995553333,10,RUB\nA-4,2026-10-02 10:00,89995554444,10,RUB\n"); // never closed
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone UTC");
        Assert.Equal(new[] { "A-2" }, r.Output.Select(o => (string)o.Properties["Id"].Value));
        Assert.Equal(new[] { "FieldCountMismatch", "MalformedCsv" }, r.ErrorIds);
        Assert.Contains("line 2", r.Errors[0].Exception.Message);
        Assert.Contains("line 4", r.Errors[1].Exception.Message);
        Assert.Contains("nothing after this line was imported", r.Errors[1].Exception.Message);
    }

    [Fact]
    public async Task Header_only_file_gives_zero_rows_and_no_error()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("empty.csv", "id,create_date_time,phones\n");
        var r = s.Run($"Import-CrmOrder '{file}'");
        Assert.Empty(r.Errors);
        Assert.Empty(r.Output);
        Assert.Contains(r.Information, i => i.MessageData.ToString() == "read 0 rows, emitted 0, rejected 0");
    }

    [Fact]
    public async Task Missing_or_ambiguous_columns_stop_the_file_before_any_row_listing_the_headers()
    {
        await using var s = await ModuleSession.StartAsync();
        var missing = s.WriteFile("missing.csv", "Deal number,Created,Comment\n1,2026-10-02 10:00,x\n");
        var r = s.Run($"Import-CrmOrder '{missing}'");
        Assert.Equal("MissingColumn", Assert.Single(r.ErrorIds));
        Assert.Contains("'Deal number', 'Created', 'Comment'", r.Errors[0].Exception.Message);
        Assert.Contains("no identifier column", r.Errors[0].Exception.Message);
        Assert.Empty(r.Output);

        // Two columns of one value are ambiguous; two phone columns are two phones (issue 21), and a map picks one.
        var ambiguous = s.WriteFile("ambiguous.csv", "id,Created,Phone,Mobile,Amount,Сумма\n1,2026-10-02 10:00,89995551111,89995552222,1,2\n");
        var a = s.Run($"Import-CrmOrder '{ambiguous}'");
        Assert.Equal("AmbiguousColumn", Assert.Single(a.ErrorIds));
        Assert.Contains("'Amount', 'Сумма'", a.Errors[0].Exception.Message);
        Assert.Empty(a.Output);

        var mapped = s.Run($"Import-CrmOrder '{ambiguous}' -ColumnMap @{{ Phones = 'Mobile'; Revenue = 'Сумма' }} -Currency RUB -TimeZone UTC");
        Assert.Empty(mapped.Errors);
        var o = Assert.Single(mapped.Output);
        Assert.Equal(new[] { "79995552222" }, PropertyValues.Strings(o, "Phones"));
        Assert.Equal("RUB", o.Properties["Currency"].Value);
        var both = s.Run($"Import-CrmOrder '{ambiguous}' -ColumnMap @{{ Revenue = 'Сумма' }} -TimeZone UTC");
        Assert.Equal(new[] { "79995551111", "79995552222" }, PropertyValues.Strings(Assert.Single(both.Output), "Phones"));
    }

    [Fact]
    public async Task English_CRM_headers_and_column_map_override()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("deals.csv", "Deal ID,Created,Phone,Stage,Amount,Deal number\n7,2026-10-02T10:00:00+03:00,+7 999 555 11 11,Won,\"1,234.50\",D-7\n");
        var r = s.Run($"Import-CrmOrder '{file}' -ColumnMap @{{ Id = 'Deal number' }}");
        Assert.Empty(r.Errors);
        var o = Assert.Single(r.Output);
        Assert.Equal("D-7", o.Properties["Id"].Value);
        Assert.Equal("Won", o.Properties["OrderStatus"].Value);
        Assert.Equal(1234.50m, o.Properties["Revenue"].Value);
        Assert.Equal(DateTimeOffset.Parse("2026-10-02T07:00:00Z"), o.Properties["CreateDateTime"].Value);
    }

    [Fact]
    public async Task Pipeline_objects_bind_by_property_name()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run(
            "@{ 'Номер заказа' = 'Z-1'; 'Дата создания' = '02.10.2026 10:07'; 'Телефон' = '8 999 555 11 11' }, " +
            "[pscustomobject]@{ OrderId = 'Z-2'; Created = [datetime]'2026-10-02 10:07'; Email = 'A@B.ru'; Amount = 15.5 }, " +
            "[pscustomobject]@{ OrderId = 'Z-3'; Created = 'yesterday'; Email = 'c@d.ru' }, " +
            "[pscustomobject]@{ Name = 'no id at all' } | Import-CrmOrder -TimeZone 'Europe/Moscow'");
        Assert.Equal(new[] { "Z-1", "Z-2" }, r.Output.Select(o => (string)o.Properties["Id"].Value));
        Assert.Equal(15.5m, r.Output[1].Properties["Revenue"].Value);
        Assert.Equal(new[] { "InvalidDateTime", "MissingColumn" }, r.ErrorIds);
        Assert.Contains("pipeline object, line 3", r.Errors[0].Exception.Message);
        Assert.Contains(r.Information, i => i.MessageData.ToString() == "read 4 rows, emitted 2, rejected 2");
    }

    [Theory]
    [InlineData("Europe/Moscow")]
    [InlineData("Russian Standard Time")]
    public async Task Every_value_format_of_the_issue_reads_through_the_module(string zone)
    {
        await using var s = await ModuleSession.StartAsync();
        // date-time; amount; phone: each row one of the formats CRMs export.
        var rows = new (string date, string utc, string amount, decimal value, string phone)[]
        {
            ("31.12.2024 18:30", "2024-12-31T15:30:00Z", "1234.5", 1234.5m, "+7 (999) 555-11-11"),
            ("31.12.2024 18:30:15", "2024-12-31T15:30:15Z", "1 234,50", 1234.50m, "8 999 555 11 11"),
            ("31.12.24", "2024-12-31T20:59:59Z", "1,234.50", 1234.50m, "8-999-555-11-11 доб. 123"),
            ("2024-12-31 18:30", "2024-12-31T15:30:00Z", "1234,5 ₽", 1234.5m, "9995551111"),
            ("2024-12-31T18:30:00", "2024-12-31T15:30:00Z", "1234", 1234m, "007 999 5551111"),
            ("2024-12-31T18:30:00+05:00", "2024-12-31T13:30:00Z", "0", 0m, "+79995551111"),
            ("2024-12-31T18:30:00Z", "2024-12-31T18:30:00Z", "99.99", 99.99m, "79995551111"),
            ("1735669800", "2024-12-31T18:30:00Z", "1\u00A0000", 1000m, "+7 999 555-11-11"),
        };
        var csv = new StringBuilder("id;create_date_time;revenue;phones\n");
        for (int i = 0; i < rows.Length; i++) csv.Append($"R-{i};{rows[i].date};\"{rows[i].amount}\";{rows[i].phone}\n");
        var file = s.WriteFile("formats.csv", csv.ToString());
        var r = s.Run($"Import-CrmOrder '{file}' -TimeZone '{zone}'");
        Assert.Empty(r.Errors);
        Assert.Equal(rows.Length, r.Output.Count);
        for (int i = 0; i < rows.Length; i++)
        {
            var o = r.Output[i];
            Assert.Equal(DateTimeOffset.Parse(rows[i].utc), (DateTimeOffset)o.Properties["CreateDateTime"].Value);
            Assert.Equal(rows[i].value, o.Properties["Revenue"].Value);
            Assert.Equal(new[] { "79995551111" }, PropertyValues.Strings(o, "Phones"));
        }
    }

    [Fact]
    public async Task Hashing_replaces_raw_identifiers_with_Yandex_MD5()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", "id,create_date_time,emails,phones,phones_md5\n" +
            "A-1,2026-10-02 10:00,Mail@Yandex.ru,+7 999 555 11 11,\nA-2,2026-10-02 10:00,3C56FF8FEF0F6C65B36B2D25720FE276,,F09F2C3D48F31E2A802944ADE2E5AEC5\n");
        var r = s.Run($"Import-CrmOrder '{file}' -HashIdentifiers");
        Assert.Empty(r.Errors);
        foreach (var o in r.Output)
        {
            Assert.Empty(PropertyValues.Strings(o, "Emails"));
            Assert.Empty(PropertyValues.Strings(o, "Phones"));
            Assert.Equal(new[] { "3c56ff8fef0f6c65b36b2d25720fe276" }, PropertyValues.Strings(o, "EmailsMd5"));
            Assert.Equal(new[] { "f09f2c3d48f31e2a802944ade2e5aec5" }, PropertyValues.Strings(o, "PhonesMd5"));
        }
        // And the hashes are what reaches Metrica: no raw personal data in the uploaded file.
        var sent = s.Run($"Import-CrmOrder '{file}' -HashIdentifiers -OrderStatus PAID | Send-MetricaConversion -CounterId 4 {ModuleSession.Api}");
        Assert.Empty(sent.Errors);
        var text = Assert.Single(s.Counter(4).Uploads).FileText;
        Assert.DoesNotContain("yandex.ru", text);
        Assert.DoesNotContain("79995551111", text);
        Assert.Contains("\"3c56ff8fef0f6c65b36b2d25720fe276\"", text);
    }

    [Fact]
    public async Task Explain_shows_which_rule_changed_which_value()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", "id,create_date_time,emails,phones,revenue\nA-1,02.10.2026,Mail@Yandex.RU,8 999 555 11 11,\"1 234,50\"\n");
        var r = s.Run($"Import-CrmOrder '{file}' -Explain -TimeZone UTC");
        var lines = (IEnumerable<string>)Assert.Single(r.Output).Properties["Explanation"].Value;
        Assert.Contains("phones: '8 999 555 11 11' -> '79995551111' (phone normalised)", lines);
        Assert.Contains("emails: 'Mail@Yandex.RU' -> 'mail@yandex.ru' (e-mail trimmed and lower-cased)", lines);
        Assert.Contains(lines, l => l.StartsWith("create_date_time: '02.10.2026' -> '2026-10-02 23:59:59") && l.Contains("end of that day"));
        Assert.Contains(r.Information, i => i.Tags.Contains("Explain") && i.MessageData.ToString()!.StartsWith("line 2: phones"));
    }

    [Fact]
    public async Task Every_row_is_emitted_or_rejected_and_rejects_go_to_an_Excel_safe_file()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", "id,create_date_time,emails,phones,revenue,currency\n" +
            "A-1,2026-10-02 10:00,a@b.ru,,10,RUB\n" +
            "A-2,2026-10-02 10:00,ivаn@mail.ru,,10,RUB\n" +          // Cyrillic а
            "A-3,2026-10-02 10:00,,12345,10,RUB\n" +
            "A-4,01.01.1965 10:00,d@b.ru,,10,RUB\n" +
            "A-5,2099-01-01 10:00,e@b.ru,,10,RUB\n" +
            "=HYPERLINK(\"x\"),2026-10-02 10:00,f@b.ru,,1,XYZ\n" +
            "A-7,2026-10-02 10:00,g@b.ru,,\"1,234\",RUB\n" +
            "A-8,2026-10-02 10:00,h@b.ru,+7 999 555 11 11,20,rub\n");
        var rejects = Path.Combine(s.WorkDir, "rejects.csv");
        var r = s.Run($"Import-CrmOrder '{file}' -RejectPath '{rejects}' -TimeZone UTC");
        Assert.Equal(new[] { "A-1", "A-8" }, r.Output.Select(o => (string)o.Properties["Id"].Value));
        Assert.Equal(new[] { "CyrillicLookalike", "InvalidPhone", "DateBefore1970", "FutureDateTime", "InvalidCurrency", "AmbiguousAmount" }, r.ErrorIds);
        Assert.Contains(r.Information, i => i.MessageData.ToString()!.StartsWith("read 8 rows, emitted 2, rejected 6"));

        var rejectText = File.ReadAllText(rejects);
        var lines = rejectText.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, lines.Length);
        Assert.StartsWith("_source,_line,_rule,_column,_value,_expected,id,create_date_time,emails,phones,revenue,currency", lines[0].TrimStart('\uFEFF'));
        Assert.Contains(lines, l => l.Contains(",3,CyrillicLookalike,emails,ivаn@mail.ru,"));
        Assert.Contains(lines, l => l.Contains("'=HYPERLINK"));   // neutralised for Excel
        Assert.DoesNotContain(lines, l => l.Contains(",=HYPERLINK"));
        Assert.Equal(0xEF, File.ReadAllBytes(rejects)[0]);      // BOM, so Excel reads Cyrillic
    }

    [Fact]
    public async Task Import_CrmClient_reads_contacts()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("clients.csv", "ID клиента;ФИО;Дата создания;Телефон;E-mail;ClientID\n" +
            "K-1;Иван Петров;01.09.2026 12:00;+7 999 555 11 11, 8 999 555 22 22;Ivan@Mail.ru;133591247640966458\n" +
            "K-2;Без контактов;01.09.2026 12:00;;;1.33591E+17\n");
        var r = s.Run($"Import-CrmClients '{file}' -TimeZone 'Europe/Moscow'");
        var c = Assert.Single(r.Output);
        Assert.Equal("K-1", c.Properties["UniqId"].Value);
        Assert.Equal("Иван Петров", c.Properties["Name"].Value);
        Assert.Equal(new[] { "79995551111", "79995552222" }, PropertyValues.Strings(c, "Phones"));
        Assert.Equal(new[] { "133591247640966458" }, PropertyValues.Strings(c, "ClientIds"));
        Assert.Equal("InvalidClientId", Assert.Single(r.ErrorIds));
        Assert.Contains("scientific notation", r.Errors[0].Exception.Message);
    }
}
