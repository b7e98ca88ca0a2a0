using System.Diagnostics;
using System.Runtime.CompilerServices;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Orders;

/// <summary>
/// Read and normalise alone: the engine's CsvRecordFile over the orders file on one thread, as Import-CrmOrder runs
/// it minus PowerShell (no WriteObject, no error records). Loaded from the built module's
/// dependencies/core through its DependencyLoadContext, as PowerShell 7 loads it.
/// </summary>
static class EngineBench
{
    public static int Run(long rows, string file)
    {
        BuiltEngine.Load();
        return Measure(rows, file);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // engine types are resolved only once the context is installed
    private static int Measure(long rows, string file)
    {
        var result = Bench.Result.Measure("engine", rows, () =>
        {
            var options = new NormalizerOptions(new PhoneNormalizer("RU"), new CrmDateTimeParser(CrmDateTimeParser.ResolveZone("Europe/Moscow")));
            long emitted = 0, rejected = 0;
            using (var reader = new CsvRecordFile<CrmOrder>(file, new OrderNormalizer(options)))
                foreach (var item in reader.Read(CancellationToken.None))
                    if (item.Record != null) emitted++; else rejected++;
            return $"emitted {emitted}, rejected {rejected}";
        });
        Console.WriteLine(result.ToLine());
        return 0;
    }
}
