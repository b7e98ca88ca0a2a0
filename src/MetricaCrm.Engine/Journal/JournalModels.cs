using System;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Journal
{
    /// <summary>What a batch uploads; records of different kinds never share a last-accepted state.</summary>
    public enum JournalKind { Orders = 1, Clients = 2, SimpleOrders = 3, OfflineConversions = 4, Calls = 5 }

    /// <summary>
    /// Where a batch stands. Pending: begun, no answer yet (a process that died mid-upload leaves it so).
    /// Accepted: Metrica took the upload. Failed: Metrica refused it for good (the file's values) and applied nothing.
    /// Unknown: the answer was lost (timeout, dropped connection) and repeating it is not safe, so it may have been
    /// applied. Deferred: to be sent again: not sent (the day's quota was spent), or refused for a reason that passes
    /// (a quota, a server error, access), or failed in a way that repeating makes harmless. Pending, Unknown and Deferred
    /// batches keep their file and records until they are settled.
    /// </summary>
    public enum BatchState { Pending = 0, Accepted = 1, Failed = 2, Unknown = 3, Deferred = 4 }

    /// <summary>One upload attempt of a file of records.</summary>
    public sealed class JournalBatch
    {
        public long Id { get; internal set; }
        public long CounterId { get; internal set; }
        public JournalKind Kind { get; internal set; }
        public MergeMode MergeMode { get; internal set; }
        public string? FilePath { get; internal set; }
        public string? FileSha256 { get; internal set; }
        public long Rows { get; internal set; }
        /// <summary>Whether sending the same file again is harmless (Save and Update are; Append is not known to be).</summary>
        public bool ReplaySafe { get; internal set; }
        public BatchState State { get; internal set; }
        public DateTime StartedUtc { get; internal set; }
        public DateTime? CompletedUtc { get; internal set; }
        public string? UploadId { get; internal set; }
        public string? Message { get; internal set; }
        /// <summary>Where the batch was sent (<see cref="Upload.UploadRequest"/> as JSON); null in journals older than schema 2.</summary>
        public string? RequestJson { get; internal set; }
        public Upload.UploadRequest? Request => RequestJson == null ? null : Upload.UploadRequest.FromJson(RequestJson);
        /// <summary>Offline uploads followed until final: rows in the file, as Metrica counted them; null otherwise (schema 4).</summary>
        public long? SourceQuantity { get; internal set; }
        /// <summary>Offline uploads followed until final: rows Metrica linked to a visitor; null otherwise (schema 4).</summary>
        public long? LinkedQuantity { get; internal set; }
    }

    /// <summary>A record as sent in a batch: its id, a fingerprint of the values sent, and what the per-client limit needs.</summary>
    public readonly struct JournalRecord
    {
        public JournalRecord(string recordId, long fingerprint, DateTime? createdUtc = null, string? clientId = null)
        {
            if (string.IsNullOrEmpty(recordId)) throw new ArgumentException("A journal record needs a record id.", nameof(recordId));
            if (createdUtc.HasValue && createdUtc.Value.Kind != DateTimeKind.Utc)
                throw new ArgumentException($"Record '{recordId}': the create date-time must be UTC.", nameof(createdUtc));
            RecordId = recordId;
            Fingerprint = fingerprint;
            CreatedUtc = createdUtc;
            ClientId = clientId;
        }

        public string RecordId { get; }
        public long Fingerprint { get; }
        public DateTime? CreatedUtc { get; }
        public string? ClientId { get; }

        /// <summary>The fingerprint of a record's values joined as text (see <see cref="RecordFingerprint"/>).</summary>
        public static long FingerprintOf(string canonicalValues) => RecordFingerprint.Of(canonicalValues);
    }

    /// <summary>What a send compares a record with: the fingerprint and creation time Metrica last accepted, if any.</summary>
    public readonly struct AcceptedState
    {
        public AcceptedState(long fingerprint, DateTime? createdUtc)
        {
            Found = true;
            Fingerprint = fingerprint;
            CreatedUtc = createdUtc;
        }

        /// <summary>False: the record was never accepted for the counter and kind.</summary>
        public bool Found { get; }
        public long Fingerprint { get; }
        public DateTime? CreatedUtc { get; }
    }

    /// <summary>The last accepted state of a record for a counter and kind.</summary>
    public sealed class AcceptedRecord
    {
        public string RecordId { get; internal set; } = "";
        public long Fingerprint { get; internal set; }
        public DateTime? CreatedUtc { get; internal set; }
        public string? ClientId { get; internal set; }
        /// <summary>The batch whose acceptance recorded this state.</summary>
        public long BatchId { get; internal set; }
    }

    /// <summary>What the journal knows of one record: the state Metrica last accepted, or a kept batch that holds it.</summary>
    public sealed class JournalRecordEntry
    {
        public long CounterId { get; internal set; }
        public JournalKind Kind { get; internal set; }
        public string RecordId { get; internal set; } = "";
        /// <summary>Accepted for the last accepted state; Pending, Unknown or Deferred for a kept batch that holds the record.</summary>
        public BatchState State { get; internal set; }
        public long BatchId { get; internal set; }
        public string? UploadId { get; internal set; }
        /// <summary>When its batch was sent (accepted: when Metrica accepted it).</summary>
        public DateTime? AtUtc { get; internal set; }
        public DateTime? CreatedUtc { get; internal set; }
        public string? ClientId { get; internal set; }
        /// <summary>The fingerprint of the values sent, as 16 hex digits.</summary>
        public string Fingerprint { get; internal set; } = "";
    }
}
