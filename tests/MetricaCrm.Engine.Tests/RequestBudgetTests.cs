using System.Diagnostics;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;
using Xunit;

namespace MetricaCrm.Engine.Tests;

public sealed class RequestBudgetTests : IDisposable
{
    private readonly string _dir = TestDirectory.Create("metricacrm-budget-");
    private string DbPath => Path.Combine(_dir, "journal.db");
    private static readonly MetricaToken Token = MetricaToken.FromPlainText("budget-token");

    [Fact]
    public async Task Two_budgets_on_one_journal_never_hold_more_slots_than_allowed()
    {
        // Two instances hold their own lock files, as two processes would.
        using var a = RequestBudget.Open(DbPath, Token, new QuotaOptions { ParallelRequests = 3, RequestsPerSecond = 1000 });
        using var b = RequestBudget.Open(DbPath, Token, new QuotaOptions { ParallelRequests = 3, RequestsPerSecond = 1000 });
        int inFlight = 0, most = 0;
        async Task Request(RequestBudget budget)
        {
            using (await budget.EnterAsync(CancellationToken.None))
            {
                int now = Interlocked.Increment(ref inFlight);
                lock (this) most = Math.Max(most, now);
                await Task.Delay(30);
                Interlocked.Decrement(ref inFlight);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(() => Request(i % 2 == 0 ? a : b))));
        Assert.Equal(3, most);
    }

    [Fact]
    public async Task Requests_beyond_the_second_wait_for_the_next_one()
    {
        using var budget = RequestBudget.Open(DbPath, Token, new QuotaOptions { ParallelRequests = 3, RequestsPerSecond = 5 });
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 11; i++)
            using (await budget.EnterAsync(CancellationToken.None)) { }
        // 11 requests at 5 per second span at least two second boundaries.
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"11 requests at 5/s took only {clock.Elapsed}");
    }

    [Fact]
    public async Task A_spent_day_stops_before_the_request_and_says_when_the_next_begins()
    {
        using var budget = RequestBudget.Open(DbPath, Token, new QuotaOptions { DailyRequests = 2 });
        using (await budget.EnterAsync(CancellationToken.None)) { }
        using (await budget.EnterAsync(CancellationToken.None)) { }
        var ex = await Assert.ThrowsAsync<DailyBudgetSpentException>(() => budget.EnterAsync(CancellationToken.None));
        Assert.Equal(DateTime.UtcNow.Date.AddDays(1), ex.ResumeAtUtc);
        Assert.Contains("00:00 GMT", ex.Message);
        // The refused request gave its slot back: with a single slot, another process is refused for the day at once
        // instead of waiting for a slot until it gives up.
        using var single = RequestBudget.Open(DbPath, Token, new QuotaOptions { DailyRequests = 2, ParallelRequests = 1 });
        await Assert.ThrowsAsync<DailyBudgetSpentException>(() => single.EnterAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
