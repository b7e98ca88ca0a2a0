using System.Text;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;
using Microsoft.Data.Sqlite;
using Xunit;

namespace MetricaCrm.Engine.Tests;

public sealed class JournalTests : IDisposable
{
    private readonly string _dir = TestDirectory.Create("metricacrm-journal-");
    private readonly TestClock _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private string DbPath => Path.Combine(_dir, "nested", "journal.db");

    private UploadJournal Open() => UploadJournal.Open(DbPath, _clock);

    private static JournalRecord Rec(string id, string values, string? client = null, DateTime? created = null) =>
        new(id, JournalRecord.FingerprintOf(values), created, client);

    private static long Accept(UploadJournal j, long counter, params JournalRecord[] records)
    {
        long batch = j.BeginBatch(counter, JournalKind.Orders, MergeMode.Save, "/tmp/o.csv", "ab12", records.Length, replaySafe: true);
        j.AddSentRecords(batch, records);
        j.CompleteBatch(batch, "upload-" + batch, BatchState.Accepted, null);
        return batch;
    }

    [Fact]
    public void Open_creates_folder_and_versioned_schema_in_WAL_mode()
    {
        using (Open()) { }
        Assert.True(File.Exists(DbPath));
        using var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        raw.Open();
        using var cmd = raw.CreateCommand();
        cmd.CommandText = "PRAGMA user_version";
        Assert.Equal((long)UploadJournal.SchemaVersion, cmd.ExecuteScalar());
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar());
    }

    /// <summary>
    /// The journal runs on the SQLite build the module ships, loaded the way each runtime finds it: on Windows
    /// runtimes/win-&lt;arch&gt;/native/e_sqlite3.dll (.NET by its deps.json, .NET Framework by the engine's preload, as in
    /// Windows PowerShell 5.1); on Linux .NET runtimes/&lt;rid&gt;/native/libe_sqlite3.so, Mono libe_sqlite3.so beside the
    /// engine. Never a system libsqlite3 nor another copy on the search path.
    /// </summary>
    [Fact]
    public void The_journal_runs_on_the_bundled_SQLite_library()
    {
        using (var j = Open()) Accept(j, 7, Rec("A-1", "v1"));
        string engine = Path.GetDirectoryName(typeof(UploadJournal).Assembly.Location)!;
        bool windows = System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows);
        bool mono = Type.GetType("Mono.Runtime") != null;
        string loaded;
        if (windows)
        {
            var modules = System.Diagnostics.Process.GetCurrentProcess().Modules.Cast<System.Diagnostics.ProcessModule>();
            loaded = Assert.Single(modules, m => string.Equals(m.ModuleName, "e_sqlite3.dll", StringComparison.OrdinalIgnoreCase)).FileName;
            string arch = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            Assert.Equal(Path.Combine(engine, "runtimes", "win-" + arch, "native", "e_sqlite3.dll"), loaded, ignoreCase: true);
        }
        else
        {
            Assert.True(File.Exists("/proc/self/maps"), "this test reads the loaded libraries from /proc (Linux)");
            var paths = File.ReadAllLines("/proc/self/maps").Select(l => l.Split(new[] { ' ' }, 6, StringSplitOptions.RemoveEmptyEntries))
                .Where(f => f.Length == 6).Select(f => f[5].Trim()).Distinct()
                .Where(p => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(p), @"^lib.*sqlite3.*\.so")).ToList(); // any SQLite, ours or the system's
            loaded = Assert.Single(paths);
            if (mono) Assert.Equal(Path.Combine(engine, "libe_sqlite3.so"), loaded);
            else Assert.Equal((Path.Combine(engine, "runtimes") + Path.DirectorySeparatorChar, "libe_sqlite3.so"),
                (loaded.Substring(0, Path.Combine(engine, "runtimes").Length + 1), Path.GetFileName(loaded)));
        }
    }

    [Fact]
    public void A_journal_written_by_a_newer_schema_is_refused()
    {
        using (Open()) { }
        using (var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            raw.Open();
            using var cmd = raw.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = " + (UploadJournal.SchemaVersion + 1);
            cmd.ExecuteNonQuery();
        }
        var ex = Assert.Throws<UploadJournalUnavailableException>(Open);
        Assert.Contains("schema version " + (UploadJournal.SchemaVersion + 1), ex.Message);
    }

    [Fact]
    public void A_schema_2_journal_is_moved_forward_with_its_accepted_records_and_kept_batches()
    {
        // Schema 2 as the module before schema 3 wrote it: a record a row in batch_record.
        Directory.CreateDirectory(Path.GetDirectoryName(DbPath)!);
        using (var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            raw.Open();
            using var cmd = raw.CreateCommand();
            cmd.CommandText = @"
CREATE TABLE batch (id INTEGER PRIMARY KEY, counter_id INTEGER NOT NULL, kind INTEGER NOT NULL, merge_mode TEXT NOT NULL, file_path TEXT, file_sha256 TEXT,
    rows INTEGER NOT NULL, replay_safe INTEGER NOT NULL, state INTEGER NOT NULL, started_utc TEXT NOT NULL, completed_utc TEXT, upload_id TEXT, message TEXT, request TEXT);
CREATE INDEX batch_by_counter ON batch (counter_id, kind, state);
CREATE TABLE batch_record (batch_id INTEGER NOT NULL REFERENCES batch (id), record_id TEXT NOT NULL, fingerprint INTEGER NOT NULL, created_utc INTEGER,
    client_id TEXT, PRIMARY KEY (batch_id, record_id)) WITHOUT ROWID;
CREATE TABLE accepted (counter_id INTEGER NOT NULL, kind INTEGER NOT NULL, record_id TEXT NOT NULL, fingerprint INTEGER NOT NULL, created_utc INTEGER,
    client_id TEXT, batch_id INTEGER NOT NULL, PRIMARY KEY (counter_id, kind, record_id)) WITHOUT ROWID;
CREATE INDEX accepted_by_client ON accepted (counter_id, kind, client_id) WHERE client_id IS NOT NULL;
CREATE TABLE quota (token_key TEXT NOT NULL, day TEXT NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (token_key, day)) WITHOUT ROWID;
CREATE TABLE quota_second (token_key TEXT NOT NULL, second INTEGER NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (token_key, second)) WITHOUT ROWID;
INSERT INTO batch VALUES (1, 7, 1, 'Save', '/b/1', 'ab', 1, 1, 1, '2026-02-01T00:00:00.0000000Z', '2026-02-01T00:01:00.0000000Z', 'U-1', NULL, NULL);
INSERT INTO batch VALUES (2, 7, 1, 'Save', '/b/2', 'cd', 2, 1, 3, '2026-02-02T00:00:00.0000000Z', '2026-02-02T00:01:00.0000000Z', NULL, 'lost', '{}');
INSERT INTO batch VALUES (3, 7, 1, 'Save', '/b/3', 'ef', 1, 1, 0, '2026-02-03T00:00:00.0000000Z', NULL, NULL, NULL, '{}');
INSERT INTO accepted VALUES (7, 1, 'A-1', 11, 1767225600, 'C1', 1);
INSERT INTO batch_record VALUES (2, 'A-1', 12, 1767225600, 'C2'), (2, 'Б-2', 22, NULL, NULL), (3, 'A-3', 33, NULL, 'C1');
PRAGMA user_version = 2;";
            cmd.ExecuteNonQuery();
        }
        using (var j = Open())
        {
            var kept = j.RecordHistory(7, JournalKind.Orders, "A-1");
            Assert.Equal(new[] { (BatchState.Accepted, 1L, 11L, (string?)"C1"), (BatchState.Unknown, 2L, 12L, (string?)"C2") },
                kept.Select(e => (e.State, e.BatchId, Convert.ToInt64(e.Fingerprint, 16), e.ClientId)));
            Assert.Equal(BatchState.Pending, Assert.Single(j.RecordHistory(7, JournalKind.Orders, "A-3")).State);
            Assert.Equal(1, j.CountAcceptedForClient(7, JournalKind.Orders, "C1"));
            j.CompleteBatch(2, "U-2", BatchState.Accepted, null);
            var a1 = j.LastAccepted(7, JournalKind.Orders, "A-1")!;
            Assert.Equal((12L, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), "C2", 2L), (a1.Fingerprint, a1.CreatedUtc!.Value, a1.ClientId, a1.BatchId));
            Assert.Equal((22L, null, null), (j.LastAccepted(7, JournalKind.Orders, "Б-2")!.Fingerprint, j.LastAccepted(7, JournalKind.Orders, "Б-2")!.CreatedUtc, j.LastAccepted(7, JournalKind.Orders, "Б-2")!.ClientId));
            Assert.Equal((0L, 1L), (j.CountAcceptedForClient(7, JournalKind.Orders, "C1"), j.CountAcceptedForClient(7, JournalKind.Orders, "C2")));
            j.CompleteBatch(3, "U-3", BatchState.Accepted, null);
            Assert.Equal(1, j.CountAcceptedForClient(7, JournalKind.Orders, "C1"));
        }
        using (var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            raw.Open();
            using var cmd = raw.CreateCommand();
            cmd.CommandText = "SELECT (SELECT count(*) FROM sqlite_master WHERE name = 'batch_record') * 100 + (SELECT count(*) FROM batch_records)";
            Assert.Equal(0L, cmd.ExecuteScalar());
            cmd.CommandText = "PRAGMA user_version";
            Assert.Equal((long)UploadJournal.SchemaVersion, cmd.ExecuteScalar());
        }
    }

    [Fact]
    public void Batch_lifecycle_pending_then_accepted_and_records_become_the_accepted_state_only_on_completion()
    {
        using var j = Open();
        long batch = j.BeginBatch(7, JournalKind.Orders, MergeMode.Update, "/data/orders.csv", "deadbeef", 2, replaySafe: true);
        var created = new DateTime(2026, 2, 1, 9, 30, 0, DateTimeKind.Utc);
        Assert.Equal(2, j.AddSentRecords(batch, new[] { Rec("A-1", "a1", "C1", created), Rec("A-2", "a2") }));

        var pending = Assert.Single(j.PendingBatches(7));
        Assert.Equal(batch, pending.Id);
        Assert.Equal(BatchState.Pending, pending.State);
        Assert.Equal(MergeMode.Update, pending.MergeMode);
        Assert.Equal(_clock.Now.UtcDateTime, pending.StartedUtc);
        Assert.Equal(DateTimeKind.Utc, pending.StartedUtc.Kind);
        Assert.Equal(("/data/orders.csv", "deadbeef", 2L, true), (pending.FilePath, pending.FileSha256, pending.Rows, pending.ReplaySafe));
        Assert.Null(j.LastAccepted(7, JournalKind.Orders, "A-1"));
        Assert.Empty(j.PendingBatches(7, JournalKind.Clients));
        Assert.Empty(j.PendingBatches(8));

        _clock.Now = _clock.Now.AddMinutes(3);
        j.CompleteBatch(batch, "U-77", BatchState.Accepted, null);

        Assert.Empty(j.PendingBatches(7));
        var done = j.Batch(batch)!;
        Assert.Equal((BatchState.Accepted, "U-77"), (done.State, done.UploadId));
        Assert.Equal(_clock.Now.UtcDateTime, done.CompletedUtc);
        var a1 = j.LastAccepted(7, JournalKind.Orders, "A-1")!;
        Assert.Equal((JournalRecord.FingerprintOf("a1"), created, "C1", batch), (a1.Fingerprint, a1.CreatedUtc, a1.ClientId, a1.BatchId));
        Assert.Null(j.LastAccepted(7, JournalKind.Orders, "A-2")!.ClientId);
        Assert.Null(j.LastAccepted(7, JournalKind.Clients, "A-1"));
        Assert.Null(j.LastAccepted(8, JournalKind.Orders, "A-1"));
        Assert.Throws<InvalidOperationException>(() => j.AddSentRecords(batch, new[] { Rec("A-3", "a3") }));
        var again = Assert.Throws<InvalidOperationException>(() => j.CompleteBatch(batch, null, BatchState.Failed, "late"));
        Assert.Contains("already Accepted", again.Message);
    }

    [Theory]
    [InlineData(BatchState.Failed)]
    [InlineData(BatchState.Unknown)]
    [InlineData(BatchState.Deferred)]
    public void A_batch_that_was_not_accepted_leaves_the_accepted_state_unchanged(BatchState outcome)
    {
        using var j = Open();
        long first = Accept(j, 7, Rec("A-1", "v1", "C1"));
        long second = j.BeginBatch(7, JournalKind.Orders, MergeMode.Save, null, null, 2, true);
        j.AddSentRecords(second, new[] { Rec("A-1", "v2", "C2"), Rec("A-9", "v9") });
        j.CompleteBatch(second, null, outcome, "HTTP 400: bad file");

        var a1 = j.LastAccepted(7, JournalKind.Orders, "A-1")!;
        Assert.Equal((JournalRecord.FingerprintOf("v1"), "C1", first), (a1.Fingerprint, a1.ClientId, a1.BatchId));
        Assert.Null(j.LastAccepted(7, JournalKind.Orders, "A-9"));
        Assert.Equal((outcome, "HTTP 400: bad file"), (j.Batch(second)!.State, j.Batch(second)!.Message));
    }

    [Fact]
    public void An_unknown_outcome_can_later_resolve_to_accepted_and_then_applies_its_records()
    {
        using var j = Open();
        Accept(j, 7, Rec("A-1", "v1"));
        long batch = j.BeginBatch(7, JournalKind.Orders, MergeMode.Save, null, null, 1, true);
        j.AddSentRecords(batch, new[] { Rec("A-1", "v2") });
        j.CompleteBatch(batch, null, BatchState.Unknown, "connection dropped");
        j.CompleteBatch(batch, "U-5", BatchState.Accepted, "listed by last_uploadings");
        Assert.Equal(JournalRecord.FingerprintOf("v2"), j.LastAccepted(7, JournalKind.Orders, "A-1")!.Fingerprint);
        Assert.Equal("U-5", j.Batch(batch)!.UploadId);
    }

    [Fact]
    public void A_record_twice_in_one_batch_is_refused_and_nothing_of_that_call_is_kept()
    {
        using var j = Open();
        long batch = j.BeginBatch(7, JournalKind.Orders, MergeMode.Save, null, null, 3, true);
        var ex = Assert.Throws<InvalidOperationException>(() => j.AddSentRecords(batch, new[] { Rec("A-1", "x"), Rec("A-2", "y"), Rec("A-1", "z") }));
        Assert.Contains("'A-1' appears twice in batch", ex.Message);
        j.CompleteBatch(batch, null, BatchState.Accepted, null);
        Assert.Null(j.LastAccepted(7, JournalKind.Orders, "A-2"));
    }

    [Fact]
    public void Bulk_lookup_finds_every_accepted_record_and_skips_the_rest()
    {
        using var j = Open();
        var records = Enumerable.Range(0, 1234).Select(i => Rec("O-" + i, "v" + i)).ToArray();
        Accept(j, 7, records);
        Accept(j, 8, Rec("O-5000", "other counter"));
        var ids = Enumerable.Range(0, 1600).Select(i => "O-" + i).Append("O-5000").ToArray();
        var found = new AcceptedState[ids.Length];
        j.LastAccepted(7, JournalKind.Orders, ids, found);
        Assert.Equal(1234, found.Count(a => a.Found));
        Assert.All(records.Select((r, i) => (r, found[i])), p => Assert.Equal((true, p.r.Fingerprint), (p.Item2.Found, p.Item2.Fingerprint)));
        j.LastAccepted(7, JournalKind.Orders, Array.Empty<string>(), Array.Empty<AcceptedState>());
        var one = new AcceptedState[2];
        j.LastAccepted(7, JournalKind.Orders, new[] { "O-3" }, one);
        Assert.Equal((true, false), (one[0].Found, one[1].Found));
    }

    [Fact]
    public void Per_client_counts_follow_the_last_accepted_state()
    {
        using var j = Open();
        Accept(j, 7, Rec("A-1", "1", "C1"), Rec("A-2", "2", "C1"), Rec("A-3", "3", "C1"), Rec("A-4", "4", "C2"), Rec("A-5", "5"));
        Accept(j, 7, Rec("A-3", "3b", "C2")); // the order moved to another client
        Accept(j, 9, Rec("A-1", "1", "C1"));
        Assert.Equal(2, j.CountAcceptedForClient(7, JournalKind.Orders, "C1"));
        Assert.Equal(2, j.CountAcceptedForClient(7, JournalKind.Orders, "C2"));
        Assert.Equal(1, j.CountAcceptedForClient(9, JournalKind.Orders, "C1"));
        Assert.Equal(0, j.CountAcceptedForClient(7, JournalKind.Clients, "C1"));
    }

    [Fact]
    public void Data_survives_dispose_and_reopen()
    {
        long batch;
        using (var j = Open()) batch = Accept(j, 7, Rec("A-1", "v1"));
        using var again = Open();
        Assert.Equal(batch, again.LastAccepted(7, JournalKind.Orders, "A-1")!.BatchId);
        Assert.Equal(BatchState.Accepted, Assert.Single(again.Batches()).State);
    }

    [Fact]
    public void Committed_data_is_visible_to_another_connection_while_the_writer_was_never_closed()
    {
        // What a killed process leaves: a connection that committed and never closed (its WAL not checkpointed).
        var writer = Open();
        Accept(writer, 7, Rec("A-1", "v1"));
        long open = writer.BeginBatch(7, JournalKind.Orders, MergeMode.Append, null, null, 1, false);
        using var reader = Open();
        Assert.NotNull(reader.LastAccepted(7, JournalKind.Orders, "A-1"));
        var pending = Assert.Single(reader.PendingBatches(7));
        Assert.Equal((open, false), (pending.Id, pending.ReplaySafe));
        writer.Dispose();
    }

    [Fact]
    public void A_writer_process_killed_mid_write_leaves_every_committed_batch_whole_and_the_file_intact()
    {
        var announced = new List<long>();
        using (var child = JournalWriterProcess.Start(DbPath))
        {
            while (announced.Count < 20 && child.StandardOutput.ReadLine() is string line) announced.Add(long.Parse(line));
            JournalWriterProcess.Kill(child); // mid-batch: it never waits between batches
            child.WaitForExit();
        }
        Assert.Equal(20, announced.Count);

        using (var raw = new SqliteConnection($"Data Source={DbPath};Pooling=False"))
        {
            raw.Open();
            using var check = raw.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", check.ExecuteScalar());
        }
        using var j = Open();
        var batches = j.Batches(1, limit: 1000);
        Assert.All(announced, id => Assert.Equal(BatchState.Accepted, batches.Single(b => b.Id == id).State));
        foreach (var b in batches)
        {
            // Each batch is all or nothing: accepted with every record, or still pending with none accepted.
            var found = new AcceptedState[JournalWriterProcess.RecordsPerBatch];
            j.LastAccepted(1, JournalKind.Orders, Enumerable.Range(0, found.Length).Select(i => $"B{b.Id}-{i}").ToArray(), found);
            Assert.Equal(b.State == BatchState.Accepted ? found.Length : 0, found.Count(a => a.Found));
        }
    }

    private static readonly byte[] Secret = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    /// <summary>The key is keyed: without this user's secret a guessed token cannot be confirmed against the files.</summary>
    [Fact]
    public void The_token_key_depends_on_the_users_secret()
    {
        var token = MetricaToken.FromPlainText("y0_guessable");
        var other = Enumerable.Range(2, 32).Select(i => (byte)i).ToArray();
        Assert.Equal(UploadJournal.TokenKey(token, Secret), UploadJournal.TokenKey(token, Secret));
        Assert.NotEqual(UploadJournal.TokenKey(token, Secret), UploadJournal.TokenKey(token, other));
        // Not the unsalted SHA-256 prefix an earlier version stored.
        using var sha = System.Security.Cryptography.SHA256.Create();
        string plain = string.Concat(sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes("y0_guessable")).Take(8).Select(b => b.ToString("x2")));
        Assert.NotEqual(plain, UploadJournal.TokenKey(token, Secret));
    }

    [Fact]
    public void Two_journals_on_one_file_share_the_quota_without_overspending()
    {
        string key = UploadJournal.TokenKey(MetricaToken.FromPlainText("shared-token"), Secret);
        using var a = Open();
        using var b = Open();
        int granted = 0;
        void Spend(UploadJournal j)
        {
            for (int i = 0; i < 150; i++)
                if (j.ReserveRequest(key, 200, 1000) == QuotaReservation.Reserved) Interlocked.Increment(ref granted);
        }
        Task.WaitAll(Task.Run(() => Spend(a)), Task.Run(() => Spend(b)));
        Assert.Equal(200, granted);
        Assert.Equal(QuotaReservation.DaySpent, a.ReserveRequest(key, 200, 1000));
        Assert.Equal(200, b.RequestsToday(key));
    }

    [Fact]
    public void Quota_resets_at_midnight_UTC_and_counts_each_second()
    {
        string key = UploadJournal.TokenKey(MetricaToken.FromPlainText("token-1"), Secret);
        string other = UploadJournal.TokenKey(MetricaToken.FromPlainText("token-2"), Secret);
        _clock.Now = new DateTimeOffset(2026, 3, 1, 23, 59, 58, TimeSpan.Zero);
        using var j = Open();
        for (int i = 0; i < 3; i++) Assert.Equal(QuotaReservation.Reserved, j.ReserveRequest(key, 10, 3));
        Assert.Equal(QuotaReservation.SecondFull, j.ReserveRequest(key, 10, 3));
        _clock.Now = _clock.Now.AddSeconds(1);
        for (int i = 0; i < 3; i++) Assert.Equal(QuotaReservation.Reserved, j.ReserveRequest(key, 10, 3));
        j.SpendDay(key, 10); // Metrica said the day is spent
        Assert.Equal(QuotaReservation.DaySpent, j.ReserveRequest(key, 10, 3));
        Assert.Equal(QuotaReservation.Reserved, j.ReserveRequest(other, 10, 3)); // each token has its own budget
        _clock.Now = new DateTimeOffset(2026, 3, 2, 2, 59, 59, TimeSpan.FromHours(3)); // 23:59:59 UTC, 02:59 in Moscow
        Assert.Equal(QuotaReservation.DaySpent, j.ReserveRequest(key, 10, 3));
        _clock.Now = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(QuotaReservation.Reserved, j.ReserveRequest(key, 10, 3));
        Assert.Equal(1, j.RequestsToday(key));
    }

    [Fact]
    public void The_token_is_never_stored_only_its_key()
    {
        const string token = "y0_AgAAAABsecretTOKENvalue1234567890";
        string key = UploadJournal.TokenKey(MetricaToken.FromPlainText(token), Secret);
        Assert.Matches("^[0-9a-f]{16}$", key);
        using (var j = Open())
        {
            Assert.Equal(QuotaReservation.Reserved, j.ReserveRequest(key, 100, 30));
            Assert.Throws<ArgumentException>(() => j.ReserveRequest(token, 100, 30));
        }
        var bytes = Directory.GetFiles(Path.GetDirectoryName(DbPath)!).SelectMany(File.ReadAllBytes).ToArray();
        Assert.True(Contains(bytes, Encoding.ASCII.GetBytes(key)), "the quota key should be in the file: the test reads the right bytes");
        Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(token)));
        Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(token)));
        Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(token.Substring(0, 12))));
    }

    [Fact]
    public void Fingerprint_is_the_first_8_bytes_of_SHA256_little_endian()
    {
        // SHA-256("abc") = ba7816bf8f01cfea...
        Assert.Equal(unchecked((long)0xEACF018FBF1678BAUL), JournalRecord.FingerprintOf("abc"));
        Assert.NotEqual(JournalRecord.FingerprintOf("abc"), JournalRecord.FingerprintOf("abd"));
        Assert.Throws<ArgumentException>(() => new JournalRecord("A-1", 1, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local)));
    }

    [Fact]
    public void Record_fingerprints_are_those_of_the_joined_values_journals_were_written_with()
    {
        // Built without the text now; a changed byte would make every record of an existing journal look changed.
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var order = new Orders.CrmOrder
        {
            Id = "A-1", CreateDateTime = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(3)), ClientUniqId = "К-7", MetricaStatus = "PAID",
            ClientIds = new[] { "123", "456" }, Emails = new[] { "a@b.ru" }, Phones = new[] { "79991234567", "79990000000" }, PhonesMd5 = new[] { "abc" },
            Revenue = -1234.50m, Cost = 0.000m, Goals = new[] { "g1" }, Currency = "RUB", FinishDateTime = new DateTimeOffset(2026, 1, 3, 0, 0, 0, TimeSpan.Zero),
            Products = { new Orders.OrderProduct("Чай", 2), new Orders.OrderProduct("x", -1) },
            Attributes = { ["z"] = "1", ["a"] = "ё", ["B"] = "" },
        };
        var o = order;
        string joined = string.Join("\u001f", new[]
        {
            o.CreateDateTime.UtcTicks.ToString(inv), o.ClientUniqId, o.MetricaStatus,
            string.Join(",", o.ClientIds), string.Join(",", o.Emails), string.Join(",", o.Phones), string.Join(",", o.EmailsMd5), string.Join(",", o.PhonesMd5),
            o.Revenue?.ToString(inv), o.Cost?.ToString(inv), string.Join(",", o.Goals), o.Currency, o.UpdateDateTime?.UtcTicks.ToString(inv),
            o.FinishDateTime?.UtcTicks.ToString(inv), string.Join(",", o.Products),
            string.Join(",", o.Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => a.Key + "=" + a.Value)),
        });
        var kind = new Orders.OrdersKind(Upload.UploadFormat.Csv, counterStatuses: null, counterAttributes: null, new Orders.OrderWindows(maxAge: null));
        Assert.Equal(JournalRecord.FingerprintOf(joined), kind.JournalRecordOf(order)!.Value.Fingerprint);
        order.Revenue = null; order.Products.Clear(); order.Attributes.Clear(); order.UpdateDateTime = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(JournalRecord.FingerprintOf(string.Join("\u001f", new[]
        {
            o.CreateDateTime.UtcTicks.ToString(inv), "К-7", "PAID", "123,456", "a@b.ru", "79991234567,79990000000", "", "abc", "", "0.000", "g1", "RUB",
            "621355968000000000", o.FinishDateTime?.UtcTicks.ToString(inv), "", "",
        })), kind.JournalRecordOf(order)!.Value.Fingerprint);

        var c = new Contacts.CrmClient
        {
            UniqId = "К-7", Name = "Иван", BirthDate = new DateTime(1990, 5, 6), UpdateDateTime = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
            Emails = new[] { "a@b.ru", "c@d.ru" }, UserComment = "vip", Attributes = { ["k"] = "v" },
        };
        string contact = string.Join("\u001f", new[]
        {
            c.Name, "1990-05-06", null, c.UpdateDateTime?.UtcTicks.ToString(inv), "", "a@b.ru,c@d.ru", "", "", "", null, "vip", "k=v",
        });
        Assert.Equal(JournalRecord.FingerprintOf(contact), new Contacts.ContactsKind(Upload.UploadFormat.Csv, null).JournalRecordOf(c)!.Value.Fingerprint);
    }

    [Theory]
    [InlineData(true, @"C:\Users\me\AppData\Local", null, @"C:\Users\me\AppData\Local/MetricaCrm/journal.db")]
    [InlineData(false, null, "/srv/xdg", "/srv/xdg/MetricaCrm/journal.db")]
    [InlineData(false, null, null, "/home/me/.local/share/MetricaCrm/journal.db")]
    [InlineData(false, null, "relative/dir", "/home/me/.local/share/MetricaCrm/journal.db")]
    public void Default_path_follows_the_platform_convention(bool windows, string? localAppData, string? xdg, string expected)
    {
        var env = new Dictionary<string, string?> { ["LOCALAPPDATA"] = localAppData, ["XDG_DATA_HOME"] = xdg };
        string path = UploadJournal.DefaultPath(windows, n => env.TryGetValue(n, out var value) ? value : null, "/home/me");
        Assert.Equal(expected.Replace('\\', '/'), path.Replace('\\', '/'));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}
