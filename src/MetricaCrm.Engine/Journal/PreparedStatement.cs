using System;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MetricaCrm.Engine.Journal
{
    /// <summary>
    /// A statement of the journal's connection prepared once and run once per record, its values bound by position
    /// through SQLitePCLRaw. Microsoft.Data.Sqlite binds each parameter by name on every run (SQLite looks the name up
    /// among all of the statement's names) and boxes each value: for a per-record statement that cost more than SQLite's
    /// own work. It joins whatever transaction the connection is in.
    /// </summary>
    internal sealed class PreparedStatement : IDisposable
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _statement;

        public PreparedStatement(SqliteConnection connection, string sql)
        {
            _db = connection.Handle ?? throw new InvalidOperationException("The upload journal's connection is not open.");
            int rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
            if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
        }

        public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

        public void Bind(int index, long? value) =>
            Check(value.HasValue ? raw.sqlite3_bind_int64(_statement, index, value.Value) : raw.sqlite3_bind_null(_statement, index));

        /// <summary>Binds text as UTF-16, which SQLite converts itself: no UTF-8 copy is made here.</summary>
        public void Bind(int index, string? value) => Check(
            value == null ? raw.sqlite3_bind_null(_statement, index)
            // An empty span may come with a null pointer, which SQLite would bind as NULL.
            : value.Length == 0 ? raw.sqlite3_bind_text(_statement, index, "")
            : raw.sqlite3_bind_text16(_statement, index, value.AsSpan()));

        /// <summary>Binds UTF-8 text as it is.</summary>
        public void BindUtf8(int index, ReadOnlySpan<byte> value) =>
            Check(value.Length == 0 ? raw.sqlite3_bind_text(_statement, index, "") : raw.sqlite3_bind_text(_statement, index, value));

        public void BindBlob(int index, ReadOnlySpan<byte> value) =>
            Check(value.Length == 0 ? raw.sqlite3_bind_zeroblob(_statement, index, 0) : raw.sqlite3_bind_blob(_statement, index, value));

        /// <summary>Runs the statement to its next row: true with a row to read, false when done. Reset before binding again.</summary>
        public bool Step()
        {
            int rc = raw.sqlite3_step(_statement);
            if (rc == raw.SQLITE_ROW) return true;
            if (rc == raw.SQLITE_DONE) return false;
            raw.sqlite3_reset(_statement);
            SqliteException.ThrowExceptionForRC(rc, _db);
            return false;
        }

        public void Reset() => raw.sqlite3_reset(_statement);

        public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

        public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

        public string Text(int column) => raw.sqlite3_column_text(_statement, column).utf8_to_string();

        /// <summary>A blob column, valid until the statement steps again or is reset.</summary>
        public ReadOnlySpan<byte> Blob(int column) => raw.sqlite3_column_blob(_statement, column);

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
        }

        public void Dispose() => _statement.Dispose();
    }
}
