using System.Text;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Orders;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>Column binding, encoding detection and the reject file, without PowerShell.</summary>
public sealed class IngestTests : IDisposable
{
    private readonly string _dir = TestDirectory.Create("metricacrm-ingest-");

    public void Dispose() => Directory.Delete(_dir, true);

    private static string[] Bound(ColumnBinding b) =>
        Enumerable.Range(0, b.Schema.Fields.Count).Where(f => b.SourceIndex[f] >= 0).Select(f => $"{b.Schema.Fields[f].Name}={b.Headers[b.SourceIndex[f]]}").ToArray();

    [Fact]
    public void Synonyms_bind_case_and_space_insensitively_and_the_exact_Metrica_name_wins()
    {
        var b = ColumnBinding.Create(RecordSchema.Orders, new[] { "Номер", "id", "Дата  Создания", "E-MAIL", "Unused" });
        Assert.Contains("id=id", Bound(b));
        Assert.Contains("create_date_time=Дата  Создания", Bound(b));
        Assert.Contains("emails=E-MAIL", Bound(b));
        Assert.Equal(new[] { "Номер", "Unused" }, b.IgnoredHeaders);
    }

    [Fact]
    public void Missing_and_ambiguous_columns_stop_the_input_listing_the_headers()
    {
        var missing = Assert.Throws<CrmInputException>(() => ColumnBinding.Create(RecordSchema.Orders, new[] { "Deal number", "Comment" }, source: "deals.csv"));
        Assert.Equal("MissingColumn", missing.ErrorId);
        Assert.Contains("deals.csv", missing.Message);
        Assert.Contains("'Deal number', 'Comment'", missing.Message);
        // Two columns for one value are ambiguous (two for a list field are both read: see the next test).
        var ambiguous = Assert.Throws<CrmInputException>(() => ColumnBinding.Create(RecordSchema.Orders, new[] { "id", "created", "Phone", "Amount", "Сумма" }));
        Assert.Equal("AmbiguousColumn", ambiguous.ErrorId);
        Assert.Contains("revenue is ambiguous", ambiguous.Message);
        Assert.DoesNotContain("-ColumnMap", ambiguous.Message); // the engine names no cmdlet parameter
    }

    /// <summary>amoCRM exports several phone and e-mail columns: every one is read, their values joined.</summary>
    [Fact]
    public void Several_columns_of_a_list_field_are_all_read()
    {
        var b = ColumnBinding.Create(RecordSchema.Orders, new[] { "id", "created", "Phone", "Mobile", "E-mail" });
        int phones = RecordSchema.Orders.IndexOf(CrmFields.Phones);
        Assert.Equal("+7 999 1,+7 999 2", b.Value(phones, i => i switch { 2 => "+7 999 1", 3 => " +7 999 2 ", _ => null }));
        Assert.Equal("+7 999 2", b.Value(phones, i => i == 3 ? "+7 999 2" : ""));
        Assert.Null(b.Value(phones, _ => ""));
        Assert.Contains(b.Notes, n => n.Contains("'Phone', 'Mobile'"));

        var mapped = ColumnBinding.Create(RecordSchema.Orders, new[] { "id", "created", "Рабочий", "Личный" },
            new Dictionary<string, string> { ["phones"] = "Рабочий" + ColumnBinding.MapColumnSeparator + "Личный" });
        Assert.Equal("1,2", mapped.Value(phones, i => i == 2 ? "1" : i == 3 ? "2" : null));
        var single = Assert.Throws<CrmInputException>(() => ColumnBinding.Create(RecordSchema.Orders, new[] { "id", "created", "Сумма", "Итого", "Phone" },
            new Dictionary<string, string> { ["revenue"] = "Сумма" + ColumnBinding.MapColumnSeparator + "Итого" }));
        Assert.Contains("only phones, emails and client_ids", single.Message);
    }

    [Fact]
    public void The_column_map_wins_and_constants_fill_missing_fields()
    {
        var map = new Dictionary<string, string> { ["phones"] = "Mobile" };
        var constants = new Dictionary<string, string?> { ["currency"] = "RUB" };
        var b = ColumnBinding.Create(RecordSchema.Orders, new[] { "id", "created", "Phone", "Mobile" }, map, constants);
        Assert.Contains("phones=Mobile", Bound(b));
        Assert.Equal("RUB", b.Constants[RecordSchema.Orders.IndexOf(CrmFields.Currency)]);
    }

    [Theory]
    [InlineData(new[] { "K-17", "K-18" }, "client_uniq_id")]
    [InlineData(new[] { "133591247640966458", "" }, "client_ids")]
    [InlineData(new[] { "1.33591E+17" }, "client_ids")]
    [InlineData(new[] { "100234" }, "client_uniq_id")]
    public void A_Client_ID_column_is_read_by_its_values(string[] values, string field)
    {
        var b = ColumnBinding.Create(RecordSchema.Orders, new[] { "id", "created", "Client ID" }, sampleColumn: _ => values);
        Assert.Contains($"{field}=Client ID", Bound(b));
        Assert.Single(b.Notes);
    }

    [Fact]
    public void Encodings_are_detected_from_bytes_and_unreadable_files_refused()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        string Write(string name, byte[] bytes) { var p = Path.Combine(_dir, name); File.WriteAllBytes(p, bytes); return p; }
        const string text = "id;Телефон\nЗ-1;89995551111\n";
        Assert.Equal(65001, EncodingDetector.Detect(Write("utf8.csv", Encoding.UTF8.GetBytes(text))).CodePage);
        Assert.Equal(1200, EncodingDetector.Detect(Write("utf16.csv", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray())).CodePage);
        Assert.Equal(1251, EncodingDetector.Detect(Write("1251.csv", Encoding.GetEncoding(1251).GetBytes(text))).CodePage);
        var binary = Assert.Throws<CrmInputException>(() => EncodingDetector.Detect(Write("bin.csv", new byte[] { 0x69, 0x64, 0x0A, 0x81, 0x00, 0xFF, 0x01 })));
        Assert.Equal("UnsupportedEncoding", binary.ErrorId);
    }

    /// <summary>
    /// The same export in each encoding a Russian CRM writes reads to the same order: Windows-1251 by detection, UTF-16
    /// by its BOM. 1251 comes from the code-page provider the engine registers, on every runtime.
    /// </summary>
    [Theory]
    [InlineData("utf-8", 65001)]
    [InlineData("windows-1251", 1251)]
    [InlineData("utf-16le-bom", 1200)]
    [InlineData("utf-16be-bom", 1201)]
    public void Cyrillic_exports_are_read_in_Windows_1251_and_UTF_16_alike(string form, int codePage)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        const string text = "id;дата заказа;client_uniq_id;phones;order_status\r\nЗ-1;31.12.2024 18:30;Клиент «Ёлка»;8 (999) 555-11-11;Оплачен\r\n";
        byte[] bytes = form switch
        {
            "utf-8" => new UTF8Encoding(false).GetBytes(text),
            "windows-1251" => Encoding.GetEncoding(1251).GetBytes(text),
            "utf-16le-bom" => Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray(),
            _ => Encoding.BigEndianUnicode.GetPreamble().Concat(Encoding.BigEndianUnicode.GetBytes(text)).ToArray(),
        };
        string path = Path.Combine(_dir, form + ".csv");
        File.WriteAllBytes(path, bytes);
        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var options = new NormalizerOptions(new PhoneNormalizer("RU"), new CrmDateTimeParser(CrmDateTimeParser.ResolveZone("Europe/Moscow"), () => now));
        using var file = new CsvRecordFile<CrmOrder>(path, new OrderNormalizer(options));
        Assert.Equal(codePage, file.Encoding.CodePage);
        var item = Assert.Single(file.Read(CancellationToken.None));
        Assert.Null(item.Rejection?.Faults.First().Rule);
        var order = item.Record!;
        Assert.Equal(("З-1", "Клиент «Ёлка»", "Оплачен"), (order.Id, order.ClientUniqId, order.OrderStatus));
        Assert.Equal(new[] { "79995551111" }, order.Phones);
        Assert.Equal(new DateTimeOffset(2024, 12, 31, 15, 30, 0, TimeSpan.Zero), order.CreateDateTime);
    }

    [Fact]
    public void Reject_file_has_the_reasons_first_a_BOM_and_neutralised_formulas()
    {
        var path = Path.Combine(_dir, "rejects.csv");
        using (var rejects = new RejectFile(path))
        {
            rejects.Write(new RowRejection("orders.csv", 7, new[] { new RowFault("InvalidPhone", "phones", "12345", "a phone number") },
                new Dictionary<string, string?> { ["id"] = "=HYPERLINK(\"x\")", ["phones"] = "12345" }));
            Assert.Equal(1, rejects.Count);
        }
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes.Take(3).ToArray());
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split(new[] { "\r\n" }, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("_source,_line,_rule,_column,_value,_expected,id,phones", lines[0]);
        Assert.StartsWith("orders.csv,7,InvalidPhone,phones,12345,a phone number,", lines[1]);
        Assert.Contains("'=HYPERLINK", lines[1]);
    }
}
