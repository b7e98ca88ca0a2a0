using System.Text;
using CsvHelper;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Orders;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>
/// A cell or a row far over any Metrica field (a 200 MB line) is cut before the CSV reader buffers it: its row is
/// rejected with its line, column and length, messages and reject files show its start and length only, and the rows
/// after it are read with their own line numbers.
/// </summary>
public sealed class CellLimitTests : IDisposable
{
    private readonly string _dir = TestDirectory.Create("metricacrm-cells-");

    public void Dispose() => Directory.Delete(_dir, true);

    private static NormalizerOptions Options()
    {
        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        return new NormalizerOptions(new PhoneNormalizer("RU"), new CrmDateTimeParser(CrmDateTimeParser.ResolveZone("Europe/Moscow"), () => now));
    }

    private string Write(string name, string text, Encoding encoding)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, encoding.GetPreamble().Concat(encoding.GetBytes(text)).ToArray());
        return path;
    }

    private static List<ImportItem<CrmOrder>> ReadAll(string path, Encoding? encoding = null)
    {
        using var file = new CsvRecordFile<CrmOrder>(path, new OrderNormalizer(Options()), new CsvFileOptions { Encoding = encoding });
        return file.Read(CancellationToken.None).ToList();
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    [InlineData("windows-1251")]
    public void A_cell_over_the_bound_rejects_its_row_with_line_column_and_length_and_the_rest_is_read(string encodingName)
    {
        var encoding = EncodingDetector.Resolve(encodingName);
        var huge = new string('я', 100_000);
        // A quoted value over 12,001 lines: the rows after it keep their lines in the file.
        var lines = string.Concat(Enumerable.Repeat("ж\"\"ж\r\n", 12_000));
        var text = "id;created;phones;order_status\r\n" +
                   "З-1;31.12.2024 18:30;89995551111;PAID\r\n" +
                   $"З-2;31.12.2024 18:30;{huge};PAID\r\n" +
                   $"З-3;31.12.2024 18:30;\"{lines}\";PAID\r\n" +
                   "З-4;31.12.2024 18:30;89995552222;PAID\r\n";
        var items = ReadAll(Write(encodingName + ".csv", text, encoding), encoding);

        Assert.Equal(4, items.Count);
        Assert.Equal("З-1", items[0].Record?.Id);
        var cell = items[1].Rejection!;
        Assert.Equal((3L, "ValueTooLong"), (cell.Line, cell.Rule));
        var fault = Assert.Single(cell.Faults);
        Assert.Equal(("phones", 100_000L), (fault.Column, fault.ValueLength!.Value));
        Assert.Contains("line 3: column 'phones', value 'яяя", cell.Message);
        Assert.Contains("…' (100,000 characters): a value of at most 32,768 characters", cell.Message);
        Assert.True(cell.Message.Length < 600, cell.Message);

        var quoted = items[2].Rejection!;
        Assert.Equal((4L, "ValueTooLong"), (quoted.Line, quoted.Rule));
        Assert.Equal(12_000L * 5, quoted.Faults[0].ValueLength);
        Assert.Contains("on 12,001 lines", quoted.Message);

        var after = items[3].Record!;
        Assert.Equal(("З-4", 5L + 12_000), (after.Id, after.SourceLine));
        Assert.Equal(new[] { "79995552222" }, after.Phones);
    }

    [Fact]
    public void The_reject_file_holds_the_start_and_length_of_a_cut_value_never_the_value()
    {
        var path = Write("big.csv", "id;created;phones;order_status\n" + $"З-1;31.12.2024 18:30;{new string('7', 300_000)};PAID\n", new UTF8Encoding(false));
        var rejection = Assert.Single(ReadAll(path)).Rejection!;
        var rejects = Path.Combine(_dir, "rejects.csv");
        using (var file = new RejectFile(rejects)) file.Write(rejection);
        var written = File.ReadAllText(rejects);
        Assert.True(written.Length < 2_000, $"{written.Length} characters");
        Assert.Equal(2, written.Split(new[] { "(300,000 characters)" }, StringSplitOptions.None).Length - 1); // _value and phones
    }

    [Fact]
    public void A_row_of_a_million_short_fields_is_rejected_as_a_row_and_the_next_row_is_read()
    {
        var wide = string.Join(";", Enumerable.Repeat("x", 1_200_000));
        var path = Write("wide.csv", "id;created;phones;order_status\n" + $"З-1;31.12.2024 18:30;89995551111;{wide}\n" + "З-2;31.12.2024 18:30;89995551111;PAID\n", new UTF8Encoding(false));
        var items = ReadAll(path);
        Assert.Equal(2, items.Count);
        var row = items[0].Rejection!;
        Assert.Equal((2L, "RecordTooLong"), (row.Line, row.Rule));
        Assert.Contains("this one has 2,400,032 characters", row.Message.Substring(row.Message.IndexOf("value")));
        Assert.Equal((3L, "З-2"), (items[1].Record!.SourceLine, items[1].Record!.Id));
    }

    [Fact]
    public void A_header_cell_over_the_bound_stops_the_file_naming_its_line()
    {
        var path = Write("header.csv", new string('h', 50_000) + ";created\nЗ-1;31.12.2024 18:30\n", new UTF8Encoding(false));
        var ex = Assert.Throws<CrmInputException>(() => ReadAll(path));
        Assert.Equal("ValueTooLong", ex.ErrorId);
        Assert.Contains("line 1: header column 1", ex.Message);
        Assert.Contains("(50,000 characters)", ex.Message);
    }

    [Fact]
    public void Cells_at_the_bound_and_quotes_around_it_read_as_before()
    {
        var atBound = new string('a', CellLimitStream.MaxCellCharacters - 2) + "\"\"";
        var path = Write("bound.csv", "id;created;phones;order_status\n" +
            $"З-1;31.12.2024 18:30;89995551111;\"{atBound}\"\n", new UTF8Encoding(false));
        var item = Assert.Single(ReadAll(path));
        // Over the 4,096 characters of text, but read whole: the rule that refuses it is the text rule, not the cell bound.
        Assert.Equal("TextTooLong", item.Rejection?.Rule);
        Assert.Contains("at most 4096 characters, not 32767", item.Rejection!.Message);
    }

    /// <summary>A random CSV of quoted and unquoted cells, stray quotes, empty fields and every kind of line break.</summary>
    private static string RandomCsv(Random random, bool emoji)
    {
        string[] pieces = { "a", "Ж", "ё", " ", "1", ",", "\"\"", "\n", "\r\n", emoji ? "😀" : "ы", "x;y" };
        string Cell()
        {
            var sb = new StringBuilder();
            int n = random.Next(0, 14);
            switch (random.Next(5))
            {
                case 0: return "";
                case 1: // quoted: any piece, doubled quotes and line breaks included
                    sb.Append('"');
                    for (int i = 0; i < n; i++) sb.Append(pieces[random.Next(pieces.Length)]);
                    return sb.Append('"').ToString();
                case 2: return "ab\"cd" + new string('z', n); // a stray quote inside an unquoted value
                default:
                    for (int i = 0; i < n; i++) sb.Append("aЖё 1,😀"[random.Next(emoji ? 7 : 6)]);
                    return sb.ToString().Replace("\uD83D", "ы");
            }
        }
        string[] breaks = { "\n", "\r\n", "\r" };
        var csv = new StringBuilder("a;b;c\n");
        for (int row = 0; row < 300; row++)
        {
            int fields = random.Next(10) == 0 ? random.Next(1, 6) : 3;
            csv.Append(string.Join(";", Enumerable.Range(0, fields).Select(_ => Cell())));
            csv.Append(breaks[random.Next(breaks.Length)]);
        }
        return csv.ToString();
    }

    private static List<(long Line, string[] Values)> Records(Stream input, Encoding encoding, CellLimitStream? limits)
    {
        var options = CsvReaderOptions.Default with { Separator = ';', TrackLineNumbers = true, Encoding = encoding, SkipEmptyLines = true };
        using var reader = CsvReader.Create(input, options, leaveOpen: false);
        var records = new List<(long, string[])>();
        long shift = 0;
        while (reader.Read())
        {
            long line = reader.LineNumber;
            // The lines a record's own cut dropped move the records after it, not itself.
            records.Add((line + shift, Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray()));
            while (limits != null && limits.TryTakeCut(line, out var cut)) shift += cut.DroppedLineBreaks;
        }
        return records;
    }

    /// <summary>
    /// Through the stream a file reads as it reads without it: byte for byte when nothing reaches a bound, and with small
    /// bounds the same records on the same lines, every cell the start of the file's own (up to two characters more: a
    /// surrogate pair is not split, and a cut on the second quote of a "" pair keeps the pair's quote).
    /// </summary>
    [Theory]
    [InlineData("utf-8", 1)]
    [InlineData("utf-8", 2)]
    [InlineData("utf-16le", 3)]
    [InlineData("utf-16be", 4)]
    [InlineData("windows-1251", 5)]
    public void Random_files_read_through_the_stream_as_they_read_without_it(string encodingName, int seed)
    {
        var encoding = EncodingDetector.Resolve(encodingName);
        var bytes = encoding.GetBytes(RandomCsv(new Random(seed), emoji: encoding.CodePage != 1251));

        using (var whole = new CellLimitStream(new MemoryStream(bytes), encoding, ';'))
        {
            var copy = new MemoryStream();
            whole.CopyTo(copy);
            Assert.Equal(bytes, copy.ToArray());
            Assert.False(whole.HasCuts);
        }

        var original = Records(new MemoryStream(bytes), encoding, null);
        var limits = new CellLimitStream(new MemoryStream(bytes), encoding, ';', maxCellCharacters: 6, maxRecordCharacters: 14);
        var cut = Records(limits, encoding, limits);
        Assert.Equal(original.Select(r => r.Line), cut.Select(r => r.Line));
        for (int i = 0; i < original.Count; i++)
        {
            Assert.True(cut[i].Values.Length <= original[i].Values.Length, $"line {original[i].Line}");
            for (int f = 0; f < cut[i].Values.Length; f++)
            {
                string full = original[i].Values[f], start = cut[i].Values[f];
                Assert.True(full.StartsWith(start, StringComparison.Ordinal) && start.Length <= 8, $"line {original[i].Line} field {f}: '{start}' of '{full}'");
            }
        }
    }

#if NET
    /// <summary>A 20 MB line allocates a bounded amount (before: its buffer, a 40 MB string and copies of it).</summary>
    [Fact]
    public void A_huge_line_is_read_in_bounded_memory()
    {
        var path = Path.Combine(_dir, "huge.csv");
        using (var w = new StreamWriter(path, false, new UTF8Encoding(false)))
        {
            w.Write("id;created;phones;order_status\nЗ-1;31.12.2024 18:30;");
            var chunk = new string('a', 1 << 20);
            for (int i = 0; i < 20; i++) w.Write(chunk);
            w.Write(";PAID\nЗ-2;31.12.2024 18:30;89995551111;PAID\n");
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var items = ReadAll(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(("ValueTooLong", 20L << 20), (items[0].Rejection!.Rule, items[0].Rejection!.Faults[0].ValueLength!.Value));
        Assert.Equal("З-2", items[1].Record!.Id);
        Assert.True(allocated < 8 << 20, $"{allocated:N0} bytes allocated");
    }
#endif
}
