using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using MetricaCrm.Engine.Metrica;
using Microsoft.Data.Sqlite;

namespace MetricaCrm.Engine.Journal
{
    /// <summary>
    /// The local record of what was uploaded: batches with their outcome, the last accepted state of every record per
    /// counter and kind, and a daily request budget per token shared by every process of the user. One SQLite file
    /// that several processes may open at once (WAL). An instance is one connection: use it from one thread at a time.
    /// </summary>
    public sealed class UploadJournal : IDisposable
    {
        /// <summary>Stored as PRAGMA user_version; a file written by a newer schema is refused, never guessed at.</summary>
        public const int SchemaVersion = 4;

        private readonly SqliteConnection _db;
        private readonly TimeProvider _clock;
        private SqliteTransaction? _transaction;
        private readonly BatchRecords _batchRecords = new BatchRecords();
        private PreparedStatement? _storeRecords;
        private PreparedStatement? _readRecords;
        private PreparedStatement? _accept;
        private PreparedStatement? _lookup;

        private UploadJournal(string path, SqliteConnection db, TimeProvider clock)
        {
            Path = path;
            _db = db;
            _clock = clock;
        }

        public string Path { get; }

        /// <summary>
        /// Where sends keep their batch files, beside the journal (a batch kept for a resume must outlive its process),
        /// in a folder of this journal's own identity: journals side by side (production's and the sandbox's) and a
        /// journal file that was lost and made anew never take each other's kept files for leftovers.
        /// </summary>
        public string BatchesFolder => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "batches", Identity);

        private string? _identity;

        /// <summary>A random id made when the journal is first asked for it and kept in the file (not in the schema version:
        /// an older module reading the file ignores the table).</summary>
        public string Identity => _identity ??= ReadOrCreateIdentity();

        private string ReadOrCreateIdentity()
        {
            Execute(_db, null, "CREATE TABLE IF NOT EXISTS journal_identity (id TEXT NOT NULL, api TEXT)");
            if (Scalar<string>(_db, "SELECT id FROM journal_identity LIMIT 1") is string known) return known;
            using var tx = Begin(); // two processes making it at once take turns; the second reads the first's
            if (Scalar<string>(_db, "SELECT id FROM journal_identity LIMIT 1", _transaction) is string made) return made;
            string id = Guid.NewGuid().ToString("N");
            using (var insert = Command("INSERT INTO journal_identity (id) VALUES ($id)", ("$id", id))) insert.ExecuteNonQuery();
            tx.Commit();
            return id;
        }

        /// <summary>
        /// Binds the journal to the API address whose uploads it remembers, on first use; a later use for another address
        /// is refused. What it remembers ("Metrica has these values") is true of that address only: the sandbox's
        /// "accepted" must never make a send to production skip a record.
        /// </summary>
        /// <exception cref="JournalForAnotherApiException">The journal remembers uploads to another address.</exception>
        public void BindApi(Uri api)
        {
            string address = ApiKey(api);
            _ = Identity;
            if (Scalar<string>(_db, "SELECT api FROM journal_identity LIMIT 1") is string bound)
            {
                if (bound == address) return;
                throw new JournalForAnotherApiException(Path, bound, address);
            }
            using var tx = Begin();
            string? again = Scalar<string>(_db, "SELECT api FROM journal_identity LIMIT 1", _transaction);
            if (again == null)
            {
                using (var update = Command("UPDATE journal_identity SET api = $api", ("$api", address))) update.ExecuteNonQuery();
                tx.Commit();
                return;
            }
            if (again != address) throw new JournalForAnotherApiException(Path, again, address);
        }

        /// <summary>Scheme, host, port and path of an API address, lower-case, without a trailing '/'.</summary>
        internal static string ApiKey(Uri api) => api.GetLeftPart(UriPartial.Path).TrimEnd('/').ToLowerInvariant();

        /// <summary>%LOCALAPPDATA%\MetricaCrm\journal.db on Windows; $XDG_DATA_HOME/MetricaCrm/journal.db (or ~/.local/share/...) elsewhere.</summary>
        public static string DefaultPath() =>
            DefaultPath(RuntimeInformation.IsOSPlatform(OSPlatform.Windows), Environment.GetEnvironmentVariable,
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

        internal static string DefaultPath(bool isWindows, Func<string, string?> environment, string home)
        {
            string? root = isWindows ? environment("LOCALAPPDATA") : environment("XDG_DATA_HOME");
            // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
            if (string.IsNullOrEmpty(root) || !isWindows && !System.IO.Path.IsPathRooted(root))
                root = isWindows ? System.IO.Path.Combine(home, "AppData", "Local") : System.IO.Path.Combine(home, ".local", "share");
            return System.IO.Path.Combine(root!, "MetricaCrm", "journal.db");
        }

        /// <summary>Opens the journal, creating its folder, file and schema when absent.</summary>
        // Two overloads, not an optional clock: a caller of Open(path) (the net472 cmdlets) must not need a reference to
        // Microsoft.Bcl.TimeProvider, which would be resolved outside the module's isolation.
        public static UploadJournal Open(string path) => Open(path, TimeProvider.System);

        /// <summary>Opens the journal with a clock of the caller's (batch times, the quota's UTC day).</summary>
        public static UploadJournal Open(string path, TimeProvider clock)
        {
            string full = System.IO.Path.GetFullPath(path);
            try
            {
                return OpenFile(full, clock);
            }
            catch (Exception ex) when (ex is SqliteException || ex is IOException && !(ex is UploadJournalUnavailableException) ||
                                       ex is UnauthorizedAccessException || ex is InvalidOperationException)
            {
                throw Unavailable(full, ex);
            }
        }

        /// <summary>
        /// The journal as it stands, for a dry run (-WhatIf) to compare records with: opened read-only, so nothing of it
        /// is created, migrated, bound or written (a write would fail). Where there is no journal file yet (or one
        /// never given a schema), an empty journal in memory: it knows no record, as the journal a send would create.
        /// SQLite's reader may leave the journal's -wal and -shm companions (empty of data) beside an existing file, as
        /// any reader of a WAL database does; the file itself is never written. A journal of another API address is refused as <see cref="Open(string)"/>
        /// then <see cref="BindApi"/> would refuse it, so a preview never compares with what another address accepted.
        /// </summary>
        /// <exception cref="JournalForAnotherApiException">The journal remembers uploads to another address.</exception>
        public static UploadJournal OpenReadOnly(string path, Uri api)
        {
            string full = System.IO.Path.GetFullPath(path);
            if (!File.Exists(full)) return Empty(full);
            SqliteConnection? db = null;
            try
            {
                NativeSqlite.EnsureInitialized();
                db = new SqliteConnection(new SqliteConnectionStringBuilder
                {
                    DataSource = full, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 60,
                }.ToString());
                db.Open();
                Execute(db, null, "PRAGMA busy_timeout = 30000");
                int version = (int)Scalar<long>(db, "PRAGMA user_version");
                var journal = new UploadJournal(full, db, TimeProvider.System);
                if (version > SchemaVersion) throw journal.NewerSchema(version);
                // Every schema (1 to 3) has the accepted table as a send reads it; 0 is a file never given a schema.
                if (version == 0)
                {
                    db.Dispose();
                    return Empty(full);
                }
                bool hasIdentity = Scalar<long>(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'journal_identity'") > 0;
                if (hasIdentity && Scalar<string>(db, "SELECT api FROM journal_identity LIMIT 1") is string bound && bound != ApiKey(api))
                    throw new JournalForAnotherApiException(full, bound, ApiKey(api));
                return journal;
            }
            catch (Exception ex) when (ex is SqliteException || ex is IOException && !(ex is UploadJournalUnavailableException) || ex is UnauthorizedAccessException)
            {
                db?.Dispose();
                throw Unavailable(full, ex);
            }
            catch
            {
                db?.Dispose();
                throw;
            }
        }

        /// <summary>A journal in memory that knows nothing, named after the file that is not there.</summary>
        private static UploadJournal Empty(string full)
        {
            NativeSqlite.EnsureInitialized();
            var db = new SqliteConnection("Data Source=:memory:");
            try
            {
                db.Open();
                var journal = new UploadJournal(full, db, TimeProvider.System);
                journal.EnsureSchema();
                return journal;
            }
            catch
            {
                db.Dispose();
                throw;
            }
        }

        private static UploadJournal OpenFile(string full, TimeProvider clock)
        {
            Storage.PrivateFiles.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            bool created = !File.Exists(full);
            NativeSqlite.EnsureInitialized();
            var db = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = full,
                Mode = SqliteOpenMode.ReadWriteCreate,
                // A pooled connection would keep the file open after Dispose; the journal is opened once per command.
                Pooling = false,
                // Seconds Microsoft.Data.Sqlite keeps retrying a statement that finds the file locked by another process.
                DefaultTimeout = 60,
                ForeignKeys = true,
            }.ToString());
            try
            {
                db.Open();
                // Before the first write: SQLite gives its -wal and -shm files the database file's mode.
                if (created) Storage.PrivateFiles.RestrictFile(full);
                Configure(db, full);
                var journal = new UploadJournal(full, db, clock);
                journal.EnsureSchema();
                // SQLite opens a file it may not write read-only without a word; a send would fail at its first batch.
                Execute(db, null, "BEGIN IMMEDIATE; ROLLBACK;");
                return journal;
            }
            catch
            {
                db.Dispose();
                throw;
            }
        }

        /// <summary>What is wrong with a journal that did not open, and what to do, from the error it gave.</summary>
        private static UploadJournalUnavailableException Unavailable(string path, Exception ex)
        {
            const string moveAside = "Move the file aside (a new journal is made in its place; the old one still lists what was sent), or keep the journal in another file";
            if (Directory.Exists(path))
                return new UploadJournalUnavailableException(path, "a folder is in its place", "Move the folder away, or keep the journal in another file", ex);
            if (ex is SqliteException sql)
            {
                switch (sql.SqliteErrorCode)
                {
                    case 26: return new UploadJournalUnavailableException(path, "the file is not an SQLite database (damaged, or another program's file)", moveAside, ex);
                    case 11: return new UploadJournalUnavailableException(path, "the file is damaged (" + sql.Message + ")", moveAside, ex);
                    case 8:
                        return new UploadJournalUnavailableException(path, "this user may not write it (read-only file or folder)",
                            "Give this user write access to the file and its folder, or keep the journal in another file", ex);
                    case 14:
                        return new UploadJournalUnavailableException(path, "SQLite cannot open the file (" + sql.Message + ")",
                            "Check that this user may read and write the file and its folder, or keep the journal in another file", ex);
                }
            }
            if (ex is UnauthorizedAccessException)
                return new UploadJournalUnavailableException(path, "this user may not write it or its folder (" + ex.Message + ")",
                    "Give this user write access to the file and its folder, or keep the journal in another file", ex);
            return new UploadJournalUnavailableException(path, ex.Message.TrimEnd('.'), moveAside, ex);
        }

        private static void Configure(SqliteConnection db, string path)
        {
            // Waiting inside SQLite for another process's write to finish, before Microsoft.Data.Sqlite's own retries.
            Execute(db, null, "PRAGMA busy_timeout = 30000");
            // WAL: readers never block the writer, so several processes of the user can share the file; a process
            // killed mid-write leaves an uncommitted tail in the WAL that the next open ignores.
            string mode = Scalar<string>(db, "PRAGMA journal_mode = WAL") ?? "";
            if (!mode.Equals("wal", StringComparison.OrdinalIgnoreCase))
                throw new IOException($"The upload journal at {path} cannot use write-ahead logging (journal mode '{mode}'); keep it on a local disk.");
            // FULL, not NORMAL: in WAL mode both survive the process being killed at any moment (a commit is in the OS
            // once write() returns), but NORMAL may lose the last commits on power loss or an OS crash, and a lost
            // 'Accepted' means resending data that Metrica can never delete. FULL costs one fsync per commit, and the
            // journal commits once per batch or per reserved request, next to an HTTP upload that takes far longer.
            Execute(db, null, "PRAGMA synchronous = FULL");
        }

        private void EnsureSchema()
        {
            int version = (int)Scalar<long>(_db, "PRAGMA user_version");
            if (version == SchemaVersion) return;
            if (version > SchemaVersion) throw NewerSchema(version);
            using var tx = Begin(); // two processes creating the file at once take turns
            version = (int)Scalar<long>(_db, "PRAGMA user_version", _transaction);
            if (version > SchemaVersion) throw NewerSchema(version);
            if (version == 0)
            {
                Execute(_db, _transaction, @"
CREATE TABLE batch (
    id            INTEGER PRIMARY KEY,
    counter_id    INTEGER NOT NULL,
    kind          INTEGER NOT NULL,
    merge_mode    TEXT    NOT NULL,
    file_path     TEXT,
    file_sha256   TEXT,
    rows          INTEGER NOT NULL,
    replay_safe   INTEGER NOT NULL,
    state         INTEGER NOT NULL,
    started_utc   TEXT    NOT NULL,
    completed_utc TEXT,
    upload_id     TEXT,
    message       TEXT);
CREATE INDEX batch_by_counter ON batch (counter_id, kind, state);

-- Records sent in a batch whose outcome is open (Pending) or unknown; moved to accepted or dropped once it is known.
CREATE TABLE batch_record (
    batch_id    INTEGER NOT NULL REFERENCES batch (id),
    record_id   TEXT    NOT NULL,
    fingerprint INTEGER NOT NULL,
    created_utc INTEGER,
    client_id   TEXT,
    PRIMARY KEY (batch_id, record_id)) WITHOUT ROWID;

-- The last accepted state of each record: one row per record ever accepted, so kept narrow and keyed for lookups.
CREATE TABLE accepted (
    counter_id  INTEGER NOT NULL,
    kind        INTEGER NOT NULL,
    record_id   TEXT    NOT NULL,
    fingerprint INTEGER NOT NULL,
    created_utc INTEGER,
    client_id   TEXT,
    batch_id    INTEGER NOT NULL,
    PRIMARY KEY (counter_id, kind, record_id)) WITHOUT ROWID;
CREATE INDEX accepted_by_client ON accepted (counter_id, kind, client_id) WHERE client_id IS NOT NULL;

-- Requests made per token (a one-way key, never the token) and UTC day.
CREATE TABLE quota (
    token_key TEXT    NOT NULL,
    day       TEXT    NOT NULL,
    used      INTEGER NOT NULL,
    PRIMARY KEY (token_key, day)) WITHOUT ROWID;");
            }
            if (version < 2)
            {
                // Version 2: a kept batch is sent again as first sent (its request), and requests are counted per second too.
                Execute(_db, _transaction, @"
ALTER TABLE batch ADD COLUMN request TEXT;
CREATE TABLE quota_second (
    token_key TEXT    NOT NULL,
    second    INTEGER NOT NULL,
    used      INTEGER NOT NULL,
    PRIMARY KEY (token_key, second)) WITHOUT ROWID;");
            }
            if (version < 3)
            {
                // Version 3: a batch's records in one blob (batch_records, see BatchRecords), not one row each; the
                // per-client index only for orders, the one kind with a per-client limit (its upkeep cost the others
                // a second index entry per record for nothing).
                Execute(_db, _transaction, @"
CREATE TABLE batch_records (
    id          INTEGER PRIMARY KEY,
    batch_id    INTEGER NOT NULL REFERENCES batch (id),
    records     BLOB    NOT NULL);
CREATE INDEX batch_records_by_batch ON batch_records (batch_id);
DROP INDEX accepted_by_client;
CREATE INDEX accepted_by_client ON accepted (counter_id, client_id) WHERE client_id IS NOT NULL AND kind = " + ((int)JournalKind.Orders).ToString(CultureInfo.InvariantCulture) + ";");
                MoveBatchRecordRows();
                Execute(_db, _transaction, "DROP TABLE batch_record");
            }
            if (version < 4)
            {
                // Version 4: an offline upload's final quantities as Metrica reported them (PROCESSED or LINKAGE_FAILURE),
                // so a send can set its linked share against the last uploads'. Null: not final, or a kind without them.
                Execute(_db, _transaction, @"
ALTER TABLE batch ADD COLUMN source_quantity INTEGER;
ALTER TABLE batch ADD COLUMN linked_quantity INTEGER;
ALTER TABLE batch ADD COLUMN static_calls_quantity INTEGER;");
            }
            Execute(_db, _transaction, "PRAGMA user_version = " + SchemaVersion.ToString(CultureInfo.InvariantCulture));
            tx.Commit();
        }

        /// <summary>Schema 2 to 3: the records of batches still kept move from their rows into their batch's blob.</summary>
        private void MoveBatchRecordRows()
        {
            var batches = new List<long>();
            using (var ids = Command("SELECT DISTINCT batch_id FROM batch_record"))
            using (var r = ids.ExecuteReader())
                while (r.Read()) batches.Add(r.GetInt64(0));
            foreach (long batchId in batches)
            {
                var records = new List<JournalRecord>();
                using (var rows = Command("SELECT record_id, fingerprint, created_utc, client_id FROM batch_record WHERE batch_id = $id", ("$id", batchId)))
                using (var r = rows.ExecuteReader())
                    while (r.Read())
                        records.Add(new JournalRecord(r.GetString(0), r.GetInt64(1), r.IsDBNull(2) ? null : FromUnixSeconds(r.GetInt64(2)), r.IsDBNull(3) ? null : r.GetString(3)));
                StoreRecords(batchId, records);
            }
        }

        private UploadJournalUnavailableException NewerSchema(int version) =>
            new UploadJournalUnavailableException(Path, $"a newer MetricaCrm wrote it (schema version {version}; this one knows up to {SchemaVersion})",
                "Update the module, or keep this module's journal in another file");

        // ---- batches ----

        /// <summary>Records the start of an upload (state Pending) and returns the batch id.</summary>
        /// <param name="request">Where the batch goes (<see cref="Upload.UploadRequest.ToJson"/>), so that it can be sent again.</param>
        public long BeginBatch(long counterId, JournalKind kind, MergeMode mergeMode, string? filePath, string? fileSha256, long rows, bool replaySafe, string? request = null)
        {
            using var cmd = Command(@"INSERT INTO batch (counter_id, kind, merge_mode, file_path, file_sha256, rows, replay_safe, state, started_utc, request)
VALUES ($counter, $kind, $merge, $file, $sha, $rows, $replay, $state, $started, $request); SELECT last_insert_rowid();",
                ("$counter", counterId), ("$kind", (int)kind), ("$merge", mergeMode.ToString()), ("$file", filePath), ("$sha", fileSha256),
                ("$rows", rows), ("$replay", replaySafe), ("$state", (int)BatchState.Pending), ("$started", Iso(Now())), ("$request", request));
            return (long)cmd.ExecuteScalar()!;
        }

        /// <summary>Marks a kept batch as being sent again: Pending, with a new start time (listings are matched from it).</summary>
        public void RestartBatch(long batchId)
        {
            using var tx = Begin();
            var batch = RequireBatch(batchId);
            if (batch.State != BatchState.Deferred && batch.State != BatchState.Unknown && batch.State != BatchState.Pending)
                throw new InvalidOperationException($"Batch {batchId} is {batch.State}; only a kept batch is sent again.");
            using (var update = Command("UPDATE batch SET state = $state, started_utc = $started, completed_utc = NULL WHERE id = $id",
                       ("$state", (int)BatchState.Pending), ("$started", Iso(Now())), ("$id", batchId)))
                update.ExecuteNonQuery();
            tx.Commit();
        }

        /// <summary>
        /// Records a batch's outcome. Accepted makes its records the counter's last accepted state, in the same
        /// transaction; Failed drops them (refused for good); Unknown and Deferred keep them with the batch, which is
        /// kept to be settled later (reconciled, or sent again). A batch with a final outcome cannot change it.
        /// </summary>
        /// <param name="completedUtc">When the attempt ended, if not now: a batch found in Metrica's listing later ended when its upload was made.</param>
        public void CompleteBatch(long batchId, string? uploadId, BatchState outcome, string? message, DateTime? completedUtc = null)
        {
            if (outcome == BatchState.Pending) throw new ArgumentException("A batch is completed with Accepted, Failed, Unknown or Deferred, not Pending.", nameof(outcome));
            using var tx = Begin();
            var batch = RequireBatch(batchId);
            if (batch.State == BatchState.Accepted || batch.State == BatchState.Failed)
                throw new InvalidOperationException($"Batch {batchId} is already {batch.State}; its outcome cannot change to {outcome}.");
            using (var update = Command("UPDATE batch SET state = $state, completed_utc = $done, upload_id = coalesce($upload, upload_id), message = $message WHERE id = $id",
                       ("$state", (int)outcome), ("$done", Iso(completedUtc ?? Now())), ("$upload", uploadId), ("$message", message), ("$id", batchId)))
                update.ExecuteNonQuery();
            if (outcome == BatchState.Accepted) AcceptRecords(batch);
            if (outcome == BatchState.Accepted || outcome == BatchState.Failed)
                using (var drop = Command("DELETE FROM batch_records WHERE batch_id = $id", ("$id", batchId)))
                    drop.ExecuteNonQuery();
            tx.Commit();
        }

        /// <summary>Makes the batch's records the last accepted state of its counter and kind, in id order.</summary>
        private void AcceptRecords(JournalBatch batch)
        {
            var upsert = _accept ??= new PreparedStatement(_db, @"INSERT INTO accepted (counter_id, kind, record_id, fingerprint, created_utc, client_id, batch_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (counter_id, kind, record_id) DO UPDATE SET
    fingerprint = excluded.fingerprint, created_utc = excluded.created_utc, client_id = excluded.client_id, batch_id = excluded.batch_id");
            // Values stay bound across runs: the batch's own are bound once.
            upsert.Bind(1, batch.CounterId);
            upsert.Bind(2, (long)batch.Kind);
            upsert.Bind(7, batch.Id);
            var parts = RecordParts(batch.Id);
            try
            {
                while (parts.Step())
                    for (var r = new BatchRecords.Reader(parts.Blob(0)); r.Next(); )
                    {
                        upsert.BindUtf8(3, r.RecordId);
                        upsert.Bind(4, r.Fingerprint);
                        upsert.Bind(5, r.CreatedUnixSeconds);
                        if (r.HasClientId) upsert.BindUtf8(6, r.ClientId); else upsert.Bind(6, (string?)null);
                        try { upsert.Step(); }
                        finally { upsert.Reset(); }
                    }
            }
            finally { parts.Reset(); }
        }

        /// <summary>The batch's record parts in order, one a row: Reset it when done. Other statements may run meanwhile.</summary>
        private PreparedStatement RecordParts(long batchId)
        {
            var read = _readRecords ??= new PreparedStatement(_db, "SELECT records FROM batch_records WHERE batch_id = ?1 ORDER BY id");
            read.Bind(1, batchId);
            return read;
        }

        /// <summary>Says why a batch stays as it is, without changing its state or times.</summary>
        public void NoteBatch(long batchId, string message)
        {
            using var update = Command("UPDATE batch SET message = $message WHERE id = $id", ("$message", message), ("$id", batchId));
            update.ExecuteNonQuery();
        }

        /// <summary>
        /// Batches not settled yet, oldest first: Pending (begun, no outcome: the process stopped, or is still uploading),
        /// Unknown (may have been applied) and Deferred (not applied, to be sent again).
        /// </summary>
        public IReadOnlyList<JournalBatch> PendingBatches(long counterId, JournalKind? kind = null) =>
            QueryBatches("counter_id = $counter AND state IN ($pending, $unknown, $deferred) AND ($kind IS NULL OR kind = $kind) ORDER BY id",
                ("$counter", counterId), ("$pending", (int)BatchState.Pending), ("$unknown", (int)BatchState.Unknown), ("$deferred", (int)BatchState.Deferred),
                ("$kind", (int?)kind));

        /// <summary>The files of every unsettled batch, of every counter: what a cleanup of batch folders must keep.</summary>
        public ISet<string> UnsettledFiles()
        {
            using var cmd = Command("SELECT file_path FROM batch WHERE file_path IS NOT NULL AND state IN ($pending, $unknown, $deferred)",
                ("$pending", (int)BatchState.Pending), ("$unknown", (int)BatchState.Unknown), ("$deferred", (int)BatchState.Deferred));
            using var r = cmd.ExecuteReader();
            var files = new HashSet<string>(StringComparer.Ordinal);
            while (r.Read()) files.Add(r.GetString(0));
            return files;
        }

        /// <summary>The counter's batches of a kind begun at or after a time, in the order they were (last) begun.</summary>
        public IReadOnlyList<JournalBatch> BatchesSentSince(long counterId, JournalKind kind, DateTime sinceUtc) =>
            QueryBatches("counter_id = $counter AND kind = $kind AND started_utc >= $since ORDER BY started_utc, id",
                ("$counter", counterId), ("$kind", (int)kind), ("$since", Iso(sinceUtc)));

        /// <summary>
        /// Keeps an offline upload's final quantities on the batch that sent it. Only a final status carries them (a
        /// processing upload's are not yet counted), so anything else is refused. False: no batch of the counter and
        /// kind has the upload (conversion and call uploads may share ids: Metrica lists them apart).
        /// </summary>
        public bool RecordLinkage(long counterId, JournalKind kind, MetricaUpload final)
        {
            if (!final.IsFinal || final.SourceQuantity == null || final.LinkedQuantity == null)
                throw new ArgumentException($"Upload {final.UploadId} is {final.Status ?? "not listed"}: only a final upload's linked quantities are kept.", nameof(final));
            using var cmd = Command("UPDATE batch SET source_quantity = $source, linked_quantity = $linked, static_calls_quantity = $static WHERE counter_id = $counter AND kind = $kind AND upload_id = $upload",
                ("$source", final.SourceQuantity), ("$linked", final.LinkedQuantity), ("$static", final.StaticCallsQuantity), ("$counter", counterId),
                ("$kind", (int)kind), ("$upload", final.UploadId));
            return cmd.ExecuteNonQuery() > 0;
        }

        /// <summary>The last <paramref name="count"/> uploads of the counter and kind with final quantities, newest first (by when they were sent).</summary>
        public IReadOnlyList<UploadLinkage> RecentLinkage(long counterId, JournalKind kind, int count)
        {
            if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "At least one upload is read.");
            using var cmd = Command(@"SELECT upload_id, source_quantity, linked_quantity, static_calls_quantity, started_utc FROM batch
WHERE counter_id = $counter AND kind = $kind AND linked_quantity IS NOT NULL ORDER BY started_utc DESC, id DESC LIMIT $count",
                ("$counter", counterId), ("$kind", (int)kind), ("$count", count));
            using var r = cmd.ExecuteReader();
            var list = new List<UploadLinkage>();
            while (r.Read())
                list.Add(new UploadLinkage(r.IsDBNull(0) ? "" : r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetInt64(3), ParseIso(r.GetString(4))));
            return list;
        }

        /// <summary>Whether an upload id is already recorded for a batch (reconciliation never gives one upload to two batches).</summary>
        public bool KnowsUpload(long counterId, string uploadId)
        {
            using var cmd = Command("SELECT count(*) FROM batch WHERE counter_id = $counter AND upload_id = $upload", ("$counter", counterId), ("$upload", uploadId));
            return (long)cmd.ExecuteScalar()! > 0;
        }

        /// <summary>Batches, newest first, for troubleshooting.</summary>
        public IReadOnlyList<JournalBatch> Batches(long? counterId = null, JournalKind? kind = null, DateTime? sinceUtc = null, int limit = 100)
        {
            if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit), "The batch limit must be at least 1.");
            return QueryBatches("($counter IS NULL OR counter_id = $counter) AND ($kind IS NULL OR kind = $kind) AND ($since IS NULL OR started_utc >= $since) ORDER BY id DESC LIMIT $limit",
                ("$counter", counterId), ("$kind", (int?)kind), ("$since", sinceUtc.HasValue ? Iso(sinceUtc.Value.ToUniversalTime()) : null), ("$limit", limit));
        }

        public JournalBatch? Batch(long batchId) => QueryBatches("id = $id", ("$id", batchId)).FirstOrDefault();

        private JournalBatch RequireBatch(long batchId) =>
            Batch(batchId) ?? throw new InvalidOperationException($"The upload journal at {Path} has no batch {batchId}.");

        private List<JournalBatch> QueryBatches(string where, params (string, object?)[] parameters)
        {
            using var cmd = Command("SELECT id, counter_id, kind, merge_mode, file_path, file_sha256, rows, replay_safe, state, started_utc, completed_utc, upload_id, message, request, source_quantity, linked_quantity FROM batch WHERE " + where, parameters);
            using var r = cmd.ExecuteReader();
            var list = new List<JournalBatch>();
            while (r.Read())
                list.Add(new JournalBatch
                {
                    Id = r.GetInt64(0),
                    CounterId = r.GetInt64(1),
                    Kind = (JournalKind)r.GetInt32(2),
                    MergeMode = (MergeMode)Enum.Parse(typeof(MergeMode), r.GetString(3)),
                    FilePath = r.IsDBNull(4) ? null : r.GetString(4),
                    FileSha256 = r.IsDBNull(5) ? null : r.GetString(5),
                    Rows = r.GetInt64(6),
                    ReplaySafe = r.GetBoolean(7),
                    State = (BatchState)r.GetInt32(8),
                    StartedUtc = ParseIso(r.GetString(9)),
                    CompletedUtc = r.IsDBNull(10) ? null : ParseIso(r.GetString(10)),
                    UploadId = r.IsDBNull(11) ? null : r.GetString(11),
                    Message = r.IsDBNull(12) ? null : r.GetString(12),
                    RequestJson = r.IsDBNull(13) ? null : r.GetString(13),
                    SourceQuantity = r.IsDBNull(14) ? null : r.GetInt64(14),
                    LinkedQuantity = r.IsDBNull(15) ? null : r.GetInt64(15),
                });
            return list;
        }

        // ---- records ----

        /// <summary>Records what a batch sends, in one transaction; each record id once per batch.</summary>
        public long AddSentRecords(long batchId, IEnumerable<JournalRecord> records)
        {
            using var tx = Begin();
            var batch = RequireBatch(batchId);
            if (batch.State != BatchState.Pending)
                throw new InvalidOperationException($"Batch {batchId} is {batch.State}; records are added only while it is Pending.");
            long count = StoreRecords(batchId, records);
            tx.Commit();
            return count;
        }

        /// <summary>Stores a batch's records in parts (see <see cref="BatchRecords"/>).</summary>
        private long StoreRecords(long batchId, IEnumerable<JournalRecord> records)
        {
            // Once a batch: records added later would need the first ones read back for the check of repeated ids.
            using (var existing = Command("SELECT count(*) FROM batch_records WHERE batch_id = $id", ("$id", batchId)))
                if ((long)existing.ExecuteScalar()! > 0)
                    throw new InvalidOperationException($"Batch {batchId} already has its records; a batch's records are added at once.");
            var insert = _storeRecords ??= new PreparedStatement(_db, "INSERT INTO batch_records (batch_id, records) VALUES (?1, ?2)");
            return _batchRecords.Encode(records,
                id => new InvalidOperationException($"Record '{id}' appears twice in batch {batchId}; a batch holds each record once."),
                (buffer, length) =>
                {
                    insert.Bind(1, batchId);
                    insert.BindBlob(2, new ReadOnlySpan<byte>(buffer, 0, length));
                    try { insert.Step(); }
                    finally { insert.Reset(); }
                });
        }

        /// <summary>The record's last accepted state for the counter and kind, or null if it was never accepted.</summary>
        public AcceptedRecord? LastAccepted(long counterId, JournalKind kind, string recordId)
        {
            var lookup = Lookup(counterId, kind, recordId);
            try
            {
                return lookup.Step()
                    ? new AcceptedRecord
                    {
                        RecordId = recordId,
                        Fingerprint = lookup.Int64(0),
                        CreatedUtc = lookup.IsNull(1) ? null : FromUnixSeconds(lookup.Int64(1)),
                        ClientId = lookup.IsNull(2) ? null : lookup.Text(2),
                        BatchId = lookup.Int64(3),
                    }
                    : null;
            }
            finally { lookup.Reset(); }
        }

        /// <summary>
        /// What a send compares its records with: found[i] is the last accepted state of recordIds[i] (default where
        /// there is none), read in one snapshot. One prepared statement per id, bound by position: SQLite's work is one
        /// index search either way, and nothing is allocated for a record.
        /// </summary>
        public void LastAccepted(long counterId, JournalKind kind, IReadOnlyList<string> recordIds, AcceptedState[] found)
        {
            if (found.Length < recordIds.Count) throw new ArgumentException("There must be room for a state per record id.", nameof(found));
            using var snapshot = Begin(deferred: true);
            var lookup = Lookup(counterId, kind, "");
            for (int i = 0; i < recordIds.Count; i++)
            {
                lookup.Bind(3, recordIds[i]); // the counter and kind stay bound
                try
                {
                    found[i] = lookup.Step()
                        ? new AcceptedState(lookup.Int64(0), lookup.IsNull(1) ? null : FromUnixSeconds(lookup.Int64(1)))
                        : default;
                }
                finally { lookup.Reset(); }
            }
            snapshot.Commit();
        }

        private PreparedStatement Lookup(long counterId, JournalKind kind, string recordId)
        {
            var lookup = _lookup ??= new PreparedStatement(_db, "SELECT fingerprint, created_utc, client_id, batch_id FROM accepted WHERE counter_id = ?1 AND kind = ?2 AND record_id = ?3");
            lookup.Bind(1, counterId);
            lookup.Bind(2, (long)kind);
            lookup.Bind(3, recordId);
            return lookup;
        }

        /// <summary>A record's last accepted state and the kept batches that hold it, for troubleshooting.</summary>
        public IReadOnlyList<JournalRecordEntry> RecordHistory(long counterId, JournalKind kind, string recordId)
        {
            var entries = new List<JournalRecordEntry>();
            using (var cmd = Command(@"SELECT b.upload_id, coalesce(b.completed_utc, b.started_utc), a.created_utc, a.client_id, a.fingerprint, a.batch_id
FROM accepted a JOIN batch b ON b.id = a.batch_id WHERE a.counter_id = $counter AND a.kind = $kind AND a.record_id = $id",
                       ("$counter", counterId), ("$kind", (int)kind), ("$id", recordId)))
            using (var r = cmd.ExecuteReader())
                while (r.Read())
                    entries.Add(Entry(counterId, kind, recordId, BatchState.Accepted, r.GetInt64(5), r.IsDBNull(0) ? null : r.GetString(0), ParseIso(r.GetString(1)),
                        r.IsDBNull(2) ? null : r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetInt64(4)));
            // Kept batches are few: their blobs are read through for the record.
            byte[] id = Encoding.UTF8.GetBytes(recordId);
            foreach (var batch in QueryBatches("counter_id = $counter AND kind = $kind AND id IN (SELECT batch_id FROM batch_records) ORDER BY id",
                         ("$counter", counterId), ("$kind", (int)kind)))
            {
                var parts = RecordParts(batch.Id);
                try
                {
                    while (parts.Step())
                        for (var r = new BatchRecords.Reader(parts.Blob(0)); r.Next(); )
                            if (r.RecordId.SequenceEqual(id))
                                entries.Add(Entry(counterId, kind, recordId, batch.State, batch.Id, batch.UploadId, batch.StartedUtc, r.CreatedUnixSeconds,
                                    r.HasClientId ? Encoding.UTF8.GetString(r.ClientId.ToArray()) : null, r.Fingerprint));
                }
                finally { parts.Reset(); }
            }
            return entries;
        }

        private static JournalRecordEntry Entry(long counterId, JournalKind kind, string recordId, BatchState state, long batchId, string? uploadId, DateTime at,
            long? createdUnixSeconds, string? clientId, long fingerprint) => new JournalRecordEntry
        {
            CounterId = counterId, Kind = kind, RecordId = recordId, State = state, BatchId = batchId, UploadId = uploadId, AtUtc = at,
            CreatedUtc = createdUnixSeconds.HasValue ? FromUnixSeconds(createdUnixSeconds.Value) : null,
            ClientId = clientId,
            Fingerprint = fingerprint.ToString("x16", CultureInfo.InvariantCulture),
        };

        /// <summary>Records of this client in the counter's accepted state, for Metrica's per-client limit across runs.</summary>
        public long CountAcceptedForClient(long counterId, JournalKind kind, string clientId)
        {
            // Asked once per client a send meets (hundreds of thousands): prepared once per kind, not per call. The kind as
            // a number in the text: SQLite uses the partial index of orders only when it sees kind = 1 when preparing.
            if (!_clientCounts.TryGetValue(kind, out var count))
                _clientCounts[kind] = count = new PreparedStatement(_db,
                    "SELECT count(*) FROM accepted WHERE counter_id = ?1 AND kind = " + ((int)kind).ToString(CultureInfo.InvariantCulture) + " AND client_id = ?2");
            count.Bind(1, counterId);
            count.Bind(2, clientId);
            try { return count.Step() ? count.Int64(0) : 0; }
            finally { count.Reset(); }
        }

        private readonly Dictionary<JournalKind, PreparedStatement> _clientCounts = new Dictionary<JournalKind, PreparedStatement>();

        // ---- quota ----

        /// <summary>The key a token's request budget is kept under: 16 hex digits of its SHA-256, never the token.</summary>
        /// <summary>
        /// The token's key in the quota table and the lock-file names: HMAC-SHA256 keyed with this user's secret
        /// (<see cref="UserState.Secret"/>), so the key confirms no guessed token to someone who reads the files.
        /// </summary>
        public static string TokenKey(MetricaToken token, byte[] secret)
        {
            using var hmac = new HMACSHA256(secret);
            byte[] hash = hmac.ComputeHash(Encoding.UTF8.GetBytes(token.HeaderValue.Substring("OAuth ".Length)));
            var hex = new StringBuilder(16);
            for (int i = 0; i < 8; i++) hex.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
            return hex.ToString();
        }

        /// <summary>
        /// Counts one request against the token's day (UTC) and the current second, atomically across processes, if
        /// both have room: the day's count says whether the budget is spent, the second's keeps the request rate.
        /// </summary>
        public QuotaReservation ReserveRequest(string tokenKey, int dailyLimit, int perSecondLimit)
        {
            RequireTokenKey(tokenKey);
            var now = Now();
            long second = (long)Math.Floor((now - UnixEpoch).TotalSeconds);
            using var tx = Begin();
            long inSecond;
            using (var read = Command("SELECT used FROM quota_second WHERE token_key = $key AND second = $second", ("$key", tokenKey), ("$second", second)))
                inSecond = read.ExecuteScalar() is long u ? u : 0;
            long today = UsedToday(tokenKey, now);
            if (today + 1 > dailyLimit) return QuotaReservation.DaySpent;
            if (inSecond + 1 > perSecondLimit) return QuotaReservation.SecondFull;
            using (var purge = Command("DELETE FROM quota_second WHERE second < $old", ("$old", second - 60)))
                purge.ExecuteNonQuery();
            using (var write = Command("INSERT INTO quota_second (token_key, second, used) VALUES ($key, $second, 1) ON CONFLICT (token_key, second) DO UPDATE SET used = used + 1",
                       ("$key", tokenKey), ("$second", second)))
                write.ExecuteNonQuery();
            AddToday(tokenKey, now, 1);
            tx.Commit();
            return QuotaReservation.Reserved;
        }

        /// <summary>Metrica said the token's daily quota is spent: today's count becomes the limit, for every process.</summary>
        public void SpendDay(string tokenKey, int dailyLimit)
        {
            RequireTokenKey(tokenKey);
            var now = Now();
            using var tx = Begin();
            long used = UsedToday(tokenKey, now);
            if (used < dailyLimit) AddToday(tokenKey, now, dailyLimit - used);
            tx.Commit();
        }

        /// <summary>Requests counted today (UTC) for the token.</summary>
        public long RequestsToday(string tokenKey)
        {
            RequireTokenKey(tokenKey);
            return UsedToday(tokenKey, Now());
        }

        private long UsedToday(string tokenKey, DateTime now)
        {
            using var read = Command("SELECT used FROM quota WHERE token_key = $key AND day = $day", ("$key", tokenKey), ("$day", Day(now)));
            return read.ExecuteScalar() is long u ? u : 0;
        }

        private void AddToday(string tokenKey, DateTime now, long count)
        {
            using (var purge = Command("DELETE FROM quota WHERE day < $old", ("$old", Day(now.AddDays(-7)))))
                purge.ExecuteNonQuery();
            using var write = Command("INSERT INTO quota (token_key, day, used) VALUES ($key, $day, $n) ON CONFLICT (token_key, day) DO UPDATE SET used = used + $n",
                ("$key", tokenKey), ("$day", Day(now)), ("$n", count));
            write.ExecuteNonQuery();
        }

        private static string Day(DateTime utc) => utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        private static void RequireTokenKey(string tokenKey)
        {
            if (tokenKey.Length != 16 || !tokenKey.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
                throw new ArgumentException("Quota is kept under UploadJournal.TokenKey(token), never the token itself.", nameof(tokenKey));
        }

        // ---- plumbing ----

        private DateTime Now() => _clock.GetUtcNow().UtcDateTime;

        /// <summary>The journal's clock now (the one its batch times come from), for decisions made against those times.</summary>
        internal DateTime UtcNow() => Now();

        /// <summary>
        /// A transaction that this instance's commands join. Write transactions are BEGIN IMMEDIATE (Microsoft.Data.Sqlite's
        /// default): taking the write lock up front means a reader never has to upgrade, which in WAL mode fails with
        /// SQLITE_BUSY at once instead of waiting. Deferred is for read snapshots.
        /// </summary>
        private Scope Begin(bool deferred = false)
        {
            if (_transaction != null) throw new InvalidOperationException("The upload journal is already inside a transaction: use one instance from one thread at a time.");
            _transaction = _db.BeginTransaction(deferred);
            return new Scope(this);
        }

        private sealed class Scope : IDisposable
        {
            private readonly UploadJournal _journal;
            public Scope(UploadJournal journal) => _journal = journal;
            public void Commit() => _journal._transaction!.Commit();
            public void Rollback() => _journal._transaction!.Rollback();
            public void Dispose()
            {
                var tx = _journal._transaction;
                _journal._transaction = null;
                tx?.Dispose(); // rolls back unless committed
            }
        }

        private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
        {
            var cmd = _db.CreateCommand();
            cmd.Transaction = _transaction;
            cmd.CommandText = sql;
            foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            return cmd;
        }

        private static void Execute(SqliteConnection db, SqliteTransaction? tx, string sql)
        {
            using var cmd = db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }

        private static T? Scalar<T>(SqliteConnection db, string sql, SqliteTransaction? tx = null)
        {
            using var cmd = db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            object? value = cmd.ExecuteScalar();
            return value is DBNull ? default : (T?)value;
        }

        private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

        private static DateTime ParseIso(string text) =>
            DateTime.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

        private static readonly DateTime UnixEpoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        internal static long ToUnixSeconds(DateTime utc) => (long)Math.Floor((utc - UnixEpoch).TotalSeconds);

        private static DateTime FromUnixSeconds(long seconds) => UnixEpoch.AddSeconds(seconds);

        public void Dispose()
        {
            _storeRecords?.Dispose();
            _readRecords?.Dispose();
            _accept?.Dispose();
            _lookup?.Dispose();
            foreach (var count in _clientCounts.Values) count.Dispose();
            _db.Dispose();
        }
    }
}
