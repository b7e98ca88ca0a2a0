using System;
using System.Threading;
using System.Threading.Tasks;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// One kind of Metrica upload (simple orders, contacts, detailed orders...): which records it takes, the rules a
    /// record must meet before it is written, how a batch is written, where it is sent, and whether a repeat is safe.
    /// <see cref="UploadSession{TRecord}"/> does everything else, the same way for every kind.
    /// </summary>
    public abstract class UploadKind<TRecord> where TRecord : class
    {
        /// <summary>The kind as Metrica's paths name it: simple_orders, contacts, orders.</summary>
        public abstract string Name { get; }

        /// <summary>What one record is called in messages: order, contact.</summary>
        public abstract string RecordNoun { get; }

        /// <summary>The record's id: a repeated id starts a new batch, since Metrica applies repeats in one file in random order.</summary>
        public abstract string RecordId(TRecord record);

        /// <summary>Where the record came from, for located errors.</summary>
        public abstract RecordOrigin Origin(TRecord record);

        /// <summary>The rule the record breaks for this kind, or null when it can be sent.</summary>
        public abstract RowFault? Check(TRecord record);

        /// <summary>Why a valid record is deliberately not sent (too old, say), or null. Asked after <see cref="Check"/>.</summary>
        public virtual string? Skip(TRecord record) => null;

        /// <summary>Warnings about the whole send, given once at its end (how many orders will not link...).</summary>
        public virtual System.Collections.Generic.IEnumerable<string> Warnings() => System.Array.Empty<string>();

        /// <summary>Opens a file of a batch, shaped for its first record; date-times go out in the counter's zone.</summary>
        public abstract BatchWriter<TRecord> OpenWriter(string path, TimeZoneInfo counterZone, TRecord first);

        /// <summary>
        /// Which file of a batch the record goes into: records of one key share a file. A CSV file has only the columns its
        /// records fill (see <see cref="FilledColumnsCsvWriter{TRecord}"/>), so the key says which those are; a JSON body
        /// leaves each record's absent fields out by itself, so every record of a JSON upload has one key.
        /// </summary>
        public virtual string ColumnKey(TRecord record) => "";

        /// <summary>Where a batch is sent, in this merge mode.</summary>
        public abstract UploadRequest Request(MergeMode mode);

        /// <summary>
        /// Whether sending the same batch twice gives the same result, so that an upload whose outcome is unknown may be
        /// repeated. SAVE and UPDATE set the same fields to the same values; APPEND adds to lists, and whether Metrica
        /// ignores values it already has is unconfirmed, so it is never repeated blindly.
        /// </summary>
        public virtual bool IsReplaySafe(MergeMode mode) => mode != MergeMode.Append;

        /// <summary>Where this kind's batches and records go in the upload journal.</summary>
        public abstract Journal.JournalKind JournalKind { get; }

        /// <summary>
        /// The record as the journal remembers it: its id, a fingerprint of every value sent (so an unchanged record is
        /// not sent again), its creation time and client. Null: the kind keeps no per-record state (offline events).
        /// </summary>
        public virtual Journal.JournalRecord? JournalRecordOf(TRecord record) => null;

        /// <summary>Metrica's limit of records per client (see <see cref="RecordsPerClient"/>); null: none.</summary>
        public virtual int? MaxRecordsPerClient => null;

        /// <summary>The contact (client_uniq_id) a record belongs to, which Metrica must have received for the record to link; null: none.</summary>
        public virtual string? ContactOf(TRecord record) => null;

        /// <summary>Whether Metrica reports how many rows it linked to visitors (offline conversions and calls do; CRM uploads do not).</summary>
        public virtual bool ReportsLinkage => false;

        /// <summary>CDP uploads take a merge mode; offline conversions and calls do not.</summary>
        public virtual bool HasMergeMode => true;

        /// <summary>Reads an upload's current state back from Metrica (CDP: found in last_uploadings); null when not listed yet.</summary>
        public virtual Task<MetricaUpload?> FindAsync(MetricaClient client, long counterId, string uploadId, CancellationToken ct) =>
            client.FindUploadAsync(counterId, uploadId, 5, ct);

        /// <summary>How long -Wait waits by default: CDP uploads are validated within minutes.</summary>
        public virtual TimeSpan DefaultWaitTimeout => TimeSpan.FromMinutes(10);

        /// <summary>The longest pause between two status reads while waiting.</summary>
        public virtual TimeSpan MaxPollInterval => TimeSpan.FromMinutes(1);

        /// <summary>A detailed CDP upload's path: data/{entity}/csv (with the delimiter) or data/{entity}/json.</summary>
        protected static string DetailedPath(string entity, UploadFormat format, MergeMode mode) =>
            format == UploadFormat.Csv
                ? $"data/{entity}/csv?merge_mode={mode.ToString().ToUpperInvariant()}&delimiter_type=COMMA"
                : $"data/{entity}/json?merge_mode={mode.ToString().ToUpperInvariant()}";
    }

    /// <summary>The file and line (or pipeline object number) a record was read from.</summary>
    public readonly struct RecordOrigin
    {
        public RecordOrigin(string? source, long line)
        {
            Source = source ?? "pipeline object";
            Line = line;
        }

        public string Source { get; }
        public long Line { get; }
    }
}
