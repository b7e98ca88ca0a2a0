using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http.Json;
using MetricaCrm.Sandbox;

namespace MetricaCrm.Module.Tests;

/// <summary>Everything one PowerShell invocation produced, stream by stream.</summary>
public sealed class RunResult
{
    public required Collection<PSObject> Output { get; init; }
    public required List<ErrorRecord> Errors { get; init; }
    public required List<WarningRecord> Warnings { get; init; }
    public required List<VerboseRecord> Verbose { get; init; }
    public required List<InformationRecord> Information { get; init; }
    public required List<ProgressRecord> Progress { get; init; }
    public Exception? Terminating { get; init; }

    /// <summary>All text a user could see, for leak checks.</summary>
    public string AllText() => string.Join("\n",
        Output.Select(Render)
            .Concat(Errors.Select(e => e.ToString() + " " + e.Exception + " " + e.TargetObject + " " + e.ErrorDetails))
            .Concat(Warnings.Select(w => w.Message)).Concat(Verbose.Select(v => v.Message))
            .Concat(Information.Select(i => i.MessageData?.ToString() ?? "")).Concat(Progress.Select(p => p.Activity + " " + p.StatusDescription))
            .Append(Terminating?.ToString() ?? ""));

    private static string Render(PSObject o) =>
        string.Join("; ", o.Properties.Where(p => p.IsGettable).Select(p => { try { return p.Name + "=" + p.Value; } catch (GetValueException) { return p.Name; } }));

    public IEnumerable<string> ErrorIds => Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]);
}

/// <summary>
/// A sandbox on a free loopback port and a runspace with the built module imported from out/MetricaCrm.
/// The runspace's environment points the module at the sandbox, as an admin would with METRICA_API_URI.
/// </summary>
public sealed class ModuleSession : IAsyncDisposable
{
    private readonly Runspace _runspace;

    private ModuleSession(SandboxServer sandbox, Runspace runspace, string workDir)
    {
        Sandbox = sandbox;
        _runspace = runspace;
        WorkDir = workDir;
        Http = new HttpClient { BaseAddress = sandbox.BaseUri };
    }

    public SandboxServer Sandbox { get; }
    public string WorkDir { get; }
    public HttpClient Http { get; }

    public static string ModulePath => MetricaCrm.Shell.PowerShellHost.FindModule();

    public static async Task<ModuleSession> StartAsync(string token = SandboxOptions.DefaultToken, TimeSpan? listingDelay = null,
        TimeSpan? processingDelay = null, long[]? counters = null)
    {
        var sandbox = await SandboxServer.StartAsync(new SandboxOptions
        {
            Token = token, ListingDelay = listingDelay ?? TimeSpan.Zero, ProcessingDelay = processingDelay ?? TimeSpan.Zero, Counters = counters,
        });
        // A fresh sandbox has fresh quotas: a budget an earlier run left for this port is stale.
        string budget = BudgetPath(sandbox.BaseUri);
        foreach (var stale in new[] { budget, budget + "-wal", budget + "-shm" }) if (File.Exists(stale)) File.Delete(stale);
        var runspace = MetricaCrm.Shell.PowerShellHost.OpenRunspace(ModulePath);
        var work = Directory.CreateTempSubdirectory("metricacrm-test-").FullName;
        var session = new ModuleSession(sandbox, runspace, work);
        // Process-wide variables would leak between parallel tests: pass the API address and token explicitly instead.
        session.SetVariable("api", sandbox.BaseUri.ToString());
        session.SetVariable("token", ToSecure(token));
        session.SetVariable("work", work);
        // Each test remembers its own uploads: the per-user journal would carry "already accepted" between tests.
        session.Run("$PSDefaultParameterValues['*:JournalPath'] = [IO.Path]::Combine($work, 'journal.db')");
        return session;
    }

    /// <summary>Where the module keeps the request budget of a loopback API address (the engine's UserState.BudgetPath).</summary>
    public static string BudgetPath(Uri api) =>
        Path.Combine(Path.GetTempPath(), "metricacrm-budgets-" + Environment.UserName, $"budget-{api.Host}-{api.Port}.db");

    public static System.Security.SecureString ToSecure(string text)
    {
        var s = new System.Security.SecureString();
        foreach (var c in text) s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }

    public void SetVariable(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

    /// <summary>Common parameters for network cmdlets: the sandbox address and token, fast retries.</summary>
    public const string Api = "-ApiBaseUri $api -Token $token -RetryDelay '00:00:00.05'";

    public string WriteFile(string name, string text, System.Text.Encoding? encoding = null)
    {
        var path = Path.Combine(WorkDir, name);
        File.WriteAllText(path, text, encoding ?? new System.Text.UTF8Encoding(false));
        return path;
    }

    public string WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(WorkDir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public RunResult Run(string script, params object[] args)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        foreach (var a in args) ps.AddArgument(a);
        Collection<PSObject> output = new();
        Exception? terminating = null;
        try { output = ps.Invoke(); }
        catch (RuntimeException ex) { terminating = ex; }
        return new RunResult
        {
            Output = output,
            Errors = ps.Streams.Error.ToList(),
            Warnings = ps.Streams.Warning.ToList(),
            Verbose = ps.Streams.Verbose.ToList(),
            Information = ps.Streams.Information.ToList(),
            Progress = ps.Streams.Progress.ToList(),
            Terminating = terminating,
        };
    }

    public CounterState Counter(long id) => Sandbox.State.Counter(id);

    public List<RecordedRequest> Requests(string pathContains) =>
        Sandbox.State.Requests.Where(r => r.Path.Contains(pathContains, StringComparison.Ordinal)).ToList();

    public async Task<List<StoredOrder>> StoredOrdersAsync(long counter) =>
        (await Http.GetFromJsonAsync<List<StoredOrder>>($"/sandbox/counters/{counter}/orders"))!;

    public async ValueTask DisposeAsync()
    {
        _runspace.Dispose();
        Http.Dispose();
        await Sandbox.DisposeAsync();
        try { Directory.Delete(WorkDir, true); } catch (IOException) { }
    }
}
