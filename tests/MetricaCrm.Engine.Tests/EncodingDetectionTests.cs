using System.Text;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Orders;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>Files without a BOM in UTF-16, and UTF-8 files with one bad byte: read, or refused at the line and column of the byte.</summary>
public sealed class EncodingDetectionTests : IDisposable
{
    private readonly string _dir = TestDirectory.Create("metricacrm-encoding-");

    public void Dispose() => Directory.Delete(_dir, true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData(false, "id;created;client_uniq_id;phones;order_status\r\n")]
    [InlineData(true, "id;created;client_uniq_id;phones;order_status\r\n")]
    [InlineData(false, "Номер;Дата создания;client_uniq_id;Телефон;Статус\r\n")]
    [InlineData(true, "Номер;Дата создания;client_uniq_id;Телефон;Статус\r\n")]
    public void UTF_16_without_a_BOM_is_read_as_UTF_16_not_as_names_full_of_NULs(bool bigEndian, string header)
    {
        var encoding = new UnicodeEncoding(bigEndian, byteOrderMark: false);
        var path = Write("utf16.csv", encoding.GetBytes(header + "З-1;31.12.2024 18:30;Клиент «Ёлка»;8 (999) 555-11-11;Оплачен\r\n"));
        Assert.Equal(bigEndian ? 1201 : 1200, EncodingDetector.Detect(path).CodePage);

        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        var options = new NormalizerOptions(new PhoneNormalizer("RU"), new CrmDateTimeParser(CrmDateTimeParser.ResolveZone("Europe/Moscow"), () => now));
        using var file = new CsvRecordFile<CrmOrder>(path, new OrderNormalizer(options));
        Assert.DoesNotContain(file.Binding.Headers, h => h.IndexOf('\0') >= 0);
        var order = Assert.Single(file.Read(CancellationToken.None)).Record!;
        Assert.Equal(("З-1", "Клиент «Ёлка»"), (order.Id, order.ClientUniqId));
        Assert.Equal(new[] { "79995551111" }, order.Phones);
    }

    [Fact]
    public void One_bad_byte_in_UTF_8_is_refused_at_its_line_and_column_with_the_byte_shown()
    {
        var utf8 = new UTF8Encoding(false);
        var bytes = utf8.GetBytes("id;name;phones\nЗ-1;Ёлка;89995551111\nЗ-2;ООО Ромашка")
            .Concat(new byte[] { 0xFF })
            .Concat(utf8.GetBytes(" и сыновья;89995552222\n")).ToArray();
        var ex = Assert.Throws<CrmInputException>(() => EncodingDetector.Detect(Write("bad.csv", bytes)));
        Assert.Equal("UnsupportedEncoding", ex.ErrorId);
        Assert.Contains("bad.csv, line 3, column 16 (byte ", ex.Message);
        Assert.Contains("byte 0xFF after 'З-2;ООО Ромашка' is not UTF-8", ex.Message);
        Assert.Contains("Windows-1251", ex.Message);
        Assert.DoesNotContain("-Encoding", ex.Message); // the engine names no cmdlet parameter
    }

    [Fact]
    public void A_UTF_8_file_with_a_NUL_in_a_value_is_still_UTF_8()
    {
        var path = Write("nul.csv", Encoding.UTF8.GetBytes("id;name\nA\0B;Ёлка\nA-2;Ромашка\n"));
        Assert.Equal(65001, EncodingDetector.Detect(path).CodePage);
    }
}
