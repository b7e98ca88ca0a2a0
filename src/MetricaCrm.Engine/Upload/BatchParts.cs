using System;
using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// One batch being written, as one file per set of columns its records fill (their column key): a record that fills
    /// other columns than the records before it goes into another file of the same batch instead of cutting the batch, so
    /// records whose optional fields come and go cost one upload per shape and batch, not one per change. A batch never
    /// holds an id twice (the session cuts it first), so which file a record goes to cannot reorder two rows of one id.
    /// Files are uploaded in the order they were opened.
    /// </summary>
    public sealed class BatchParts<TRecord> : IDisposable where TRecord : class
    {
        /// <summary>
        /// More shapes than this in one batch cut it: each open file holds buffers, and a batch of hundreds of shapes is
        /// hundreds of uploads whichever way it is cut.
        /// </summary>
        public const int MaxFiles = 64;

        private readonly Func<TRecord, BatchWriter<TRecord>> _open;
        private readonly List<Part> _parts = new List<Part>();
        private readonly Dictionary<string, Part> _byKey = new Dictionary<string, Part>(StringComparer.Ordinal);

        /// <param name="open">Opens the next file of the batch for its first record.</param>
        public BatchParts(Func<TRecord, BatchWriter<TRecord>> open) => _open = open;

        public long Rows { get; private set; }

        /// <summary>The batch's bytes so far, all files together (an upper bound).</summary>
        public long ApproximateBytes => _parts.Sum(p => p.Writer.ApproximateBytes);

        /// <summary>Whether a record of this key would need a file the batch may not open any more.</summary>
        public bool IsFull(string key) => _parts.Count >= MaxFiles && !_byKey.ContainsKey(key);

        public void Write(TRecord record, string key, Journal.JournalRecord? journalRecord, (RecordOrigin Origin, string Id) source, RecordComparison comparison)
        {
            if (!_byKey.TryGetValue(key, out var part))
            {
                part = new Part(_open(record));
                _parts.Add(part);
                _byKey[key] = part;
            }
            part.Writer.Write(record);
            if (journalRecord is { } r) part.Records.Add(r);
            part.Sources.Add(source);
            part.Compared[(int)comparison]++;
            Rows++;
        }

        /// <summary>Finishes every file and hands each, in the order opened, with the journal records of its rows.</summary>
        public IEnumerable<(BatchFile File, IReadOnlyList<Journal.JournalRecord> Records)> Complete()
        {
            var done = new List<(BatchFile, IReadOnlyList<Journal.JournalRecord>)>();
            foreach (var part in _parts)
            {
                part.Writer.Complete();
                part.Writer.Dispose();
                if (part.Writer.Rows == 0) continue;
                string contentType = part.Writer is CsvBatchWriter<TRecord> ? "text/csv" : "application/json";
                done.Add((new BatchFile(part.Writer.Path, part.Writer.Rows, contentType) { RowSources = part.Sources.ToArray(), AgainstJournal = part.AgainstJournal() }, part.Records));
            }
            _parts.Clear();
            _byKey.Clear();
            return done;
        }

        /// <summary>Stopped while writing: the files were never begun in the journal, so they are not kept.</summary>
        public void Dispose()
        {
            foreach (var part in _parts)
            {
                part.Writer.Dispose();
                BatchFolder.Delete(part.Writer.Path);
            }
            _parts.Clear();
            _byKey.Clear();
        }

        private sealed class Part
        {
            public Part(BatchWriter<TRecord> writer) => Writer = writer;
            public BatchWriter<TRecord> Writer { get; }
            public List<Journal.JournalRecord> Records { get; } = new List<Journal.JournalRecord>();
            public List<(RecordOrigin, string)> Sources { get; } = new List<(RecordOrigin, string)>();
            /// <summary>The file's records by <see cref="RecordComparison"/>.</summary>
            public long[] Compared { get; } = new long[4];

            /// <summary>What the journal says of the file's records, for its confirmation: ": 3 new, 1 changed".</summary>
            public string AgainstJournal()
            {
                long uncompared = Compared[(int)RecordComparison.Uncompared], fresh = Compared[(int)RecordComparison.New],
                    changed = Compared[(int)RecordComparison.Changed], same = Compared[(int)RecordComparison.Same];
                if (fresh + changed + same == 0) return "";
                return $": {fresh} new, {changed} changed" + (same > 0 ? $", {same} unchanged sent again" : "") +
                    (uncompared > 0 ? $", {uncompared} not compared" : "");
            }
        }
    }
}
