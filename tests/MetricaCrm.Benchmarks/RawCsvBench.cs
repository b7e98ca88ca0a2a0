using System.Diagnostics;
using CsvHelper;

/// <summary>
/// The floor for the ratio: CsvHelper alone reads the same file (every field as a string) and writes it back to a
/// temporary CSV, no normalisation and no PowerShell.
/// </summary>
static class RawCsvBench
{
    public static int Run(long rows, string file, string encoding)
    {
        var output = Path.Combine(Path.GetTempPath(), $"metricacrm-bench-raw-{Guid.NewGuid():N}.csv");
        try
        {
            var result = Bench.Result.Measure("csvhelper", rows, () =>
            {
                long read = 0;
                using (var reader = CsvReader.FromFile(file, CsvReaderOptions.Default with { Encoding = System.Text.Encoding.GetEncoding(encoding), DetectSeparatorHint = true }))
                using (var stream = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                using (var writer = CsvWriter.Create(stream, CsvWriterOptions.Default with { NewLine = "\n", WriteByteOrderMark = false }, leaveOpen: true))
                {
                    writer.WriteHeader(reader.Headers.ToArray());
                    while (reader.Read())
                    {
                        for (int i = 0; i < reader.FieldCount; i++) writer.WriteField(reader.GetString(i));
                        writer.EndRecord();
                        read++;
                    }
                    writer.Flush();
                }
                return $"{read} records read and written";
            });
            Console.WriteLine(result.ToLine());
            return 0;
        }
        finally { File.Delete(output); }
    }
}
