using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Journal
{
    /// <summary>Metrica's documented quotas for one user (token): the budget keeps below them.</summary>
    public sealed class QuotaOptions
    {
        /// <summary>Requests per user per day, reset at 00:00 GMT.</summary>
        public int DailyRequests { get; set; } = 5_000;
        /// <summary>Requests in flight at once per user.</summary>
        public int ParallelRequests { get; set; } = 3;
        /// <summary>Requests per second per IP address (every process of the machine).</summary>
        public int RequestsPerSecond { get; set; } = 30;
    }

    /// <summary>The day's request budget of a token is spent: nothing more is sent before <see cref="ResumeAtUtc"/>.</summary>
    public sealed class DailyBudgetSpentException : Exception
    {
        public DailyBudgetSpentException(int dailyLimit, DateTime resumeAtUtc, string why)
            : base($"{why}; the next day's budget of {dailyLimit} requests begins at {resumeAtUtc:yyyy-MM-dd HH:mm} UTC (00:00 GMT).")
        {
            ResumeAtUtc = resumeAtUtc;
        }

        public DateTime ResumeAtUtc { get; }
    }

    /// <summary>
    /// The request budget every process of the user on this machine shares, kept beside the upload journal: a daily
    /// count per token and a count per second in the journal (one SQLite transaction per request), and the requests in
    /// flight as lock files, one per slot, which the operating system releases when a process dies, so a killed process
    /// never holds a slot. Every attempt of every request, retries included, passes through <see cref="EnterAsync"/>.
    /// </summary>
    public sealed class RequestBudget : IDisposable
    {
        private readonly UploadJournal _journal;
        private readonly string _tokenKey;
        private readonly QuotaOptions _options;
        private readonly string _slotFolder;
        private readonly TimeProvider _clock;
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1); // one journal connection, used by one thread at a time

        private RequestBudget(UploadJournal journal, string tokenKey, QuotaOptions options, TimeProvider clock)
        {
            _journal = journal;
            _tokenKey = tokenKey;
            _options = options;
            _clock = clock;
            _slotFolder = SlotFolder(journal.Path);
        }

        public QuotaOptions Options => _options;

        /// <summary>Opens the budget of <paramref name="token"/> in the journal at <paramref name="journalPath"/> (its own connection).</summary>
        /// <param name="budgetPath">The budget's file, shared by every process that sends for the same API address
        /// (<see cref="UserState.BudgetPath"/>); its folder also holds the in-flight slots and the token key's secret.</param>
        /// <summary>The in-flight slots of one budget (one API address): beside its file, named after it, so two
        /// addresses' requests never wait for each other's slots.</summary>
        internal static string SlotFolder(string budgetPath) =>
            System.IO.Path.Combine(System.IO.Path.GetDirectoryName(budgetPath)!, "slots-" + System.IO.Path.GetFileNameWithoutExtension(budgetPath));

        public static RequestBudget Open(string budgetPath, MetricaToken token, QuotaOptions options) => Open(budgetPath, token, options, TimeProvider.System);

        public static RequestBudget Open(string budgetPath, MetricaToken token, QuotaOptions options, TimeProvider clock)
        {
            if (options.DailyRequests < 1 || options.ParallelRequests < 1 || options.RequestsPerSecond < 1)
                throw new ArgumentOutOfRangeException(nameof(options), "Every quota is at least one request.");
            var journal = UploadJournal.Open(budgetPath, clock);
            string folder = System.IO.Path.GetDirectoryName(journal.Path)!;
            Storage.PrivateFiles.CreateDirectory(SlotFolder(journal.Path));
            return new RequestBudget(journal, UploadJournal.TokenKey(token, UserState.Secret(folder)), options, clock);
        }

        /// <summary>
        /// Waits for a free slot and room in the current second, then counts one request against the day. The lease
        /// holds the slot until disposed (the response has been read).
        /// </summary>
        /// <exception cref="DailyBudgetSpentException">The day's budget is spent; nothing was counted.</exception>
        public async Task<IDisposable> EnterAsync(CancellationToken ct)
        {
            var slot = await TakeSlotAsync(ct).ConfigureAwait(false);
            try
            {
                while (true)
                {
                    QuotaReservation reservation;
                    await _gate.WaitAsync(ct).ConfigureAwait(false);
                    try { reservation = _journal.ReserveRequest(_tokenKey, _options.DailyRequests, _options.RequestsPerSecond); }
                    finally { _gate.Release(); }
                    if (reservation == QuotaReservation.Reserved) return slot;
                    if (reservation == QuotaReservation.DaySpent)
                        throw new DailyBudgetSpentException(_options.DailyRequests, NextUtcMidnight(), $"This machine has made the day's {_options.DailyRequests} requests for this token");
                    // This second is full: wait for the next one.
                    var now = _clock.GetUtcNow();
                    await Task.Delay(TimeSpan.FromTicks(TimeSpan.TicksPerSecond - now.UtcTicks % TimeSpan.TicksPerSecond + TimeSpan.TicksPerMillisecond), ct).ConfigureAwait(false);
                }
            }
            catch
            {
                slot.Dispose();
                throw;
            }
        }

        /// <summary>Metrica answered that the token's daily quota is spent: the rest of the day is spent for every process.</summary>
        public void MarkDaySpent()
        {
            _gate.Wait();
            try { _journal.SpendDay(_tokenKey, _options.DailyRequests); }
            finally { _gate.Release(); }
        }

        public DateTime NextUtcMidnight() => _clock.GetUtcNow().UtcDateTime.Date.AddDays(1);

        private async Task<IDisposable> TakeSlotAsync(CancellationToken ct)
        {
            while (true)
            {
                for (int i = 0; i < _options.ParallelRequests; i++)
                {
                    string path = System.IO.Path.Combine(_slotFolder, $"{_tokenKey}.{i}.lock");
                    try
                    {
                        // FileShare.None is an exclusive lock between processes (flock on Unix, a share mode on Windows).
                        return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
                    }
                    catch (IOException) { } // held by another request
                }
                await Task.Delay(20, ct).ConfigureAwait(false);
            }
        }

        public void Dispose()
        {
            _journal.Dispose();
            _gate.Dispose();
        }
    }

    public enum QuotaReservation { Reserved, SecondFull, DaySpent }
}
