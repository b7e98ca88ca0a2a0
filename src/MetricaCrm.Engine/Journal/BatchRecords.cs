using System;
using System.Collections.Generic;
using System.Text;

namespace MetricaCrm.Engine.Journal
{
    /// <summary>
    /// A batch's records as a few blobs (parts of about PartBytes), sorted by record id: written with the batch before
    /// its request, read once when its outcome is known. A row a part instead of one a record, which SQLite would index,
    /// sort into place and delete again; sorted, so that accepting them walks the accepted table in order; in parts, so
    /// that neither this buffer nor SQLite holds a whole batch at once. A record: its id, fingerprint, creation time and
    /// client id, text as UTF-8 after its length (7 bits a byte), numbers little-endian.
    /// </summary>
    internal sealed class BatchRecords
    {
        private const byte HasCreated = 1, HasClient = 2;

        private const int PartBytes = 1 << 20;

        private byte[] _buffer = new byte[PartBytes + 1024];
        private int[] _order = Array.Empty<int>();
        private int _length;

        /// <summary>Writes a batch's records part by part, after checking that no id repeats; returns how many there are.</summary>
        public int Encode(IEnumerable<JournalRecord> records, Func<string, Exception> repeated, Action<byte[], int> storePart)
        {
            var list = records as IReadOnlyList<JournalRecord> ?? new List<JournalRecord>(records);
            int count = list.Count;
            if (_order.Length < count || _order.Length > 4 * count + 1024) _order = new int[count]; // no more than a batch's worth kept
            for (int i = 0; i < count; i++) _order[i] = i;
            // Positions, not records, are sorted: the caller's list stays as it is and nothing of a record's size is copied.
            Array.Sort(_order, 0, count, Comparer<int>.Create((a, b) => string.CompareOrdinal(list[a].RecordId, list[b].RecordId)));
            for (int i = 1; i < count; i++)
                if (string.Equals(list[_order[i]].RecordId, list[_order[i - 1]].RecordId, StringComparison.Ordinal)) throw repeated(list[_order[i]].RecordId);
            _length = 0;
            for (int i = 0; i < count; i++)
            {
                var r = list[_order[i]];
                WriteText(r.RecordId);
                WriteInt64(r.Fingerprint);
                Reserve(1);
                _buffer[_length++] = (byte)((r.CreatedUtc.HasValue ? HasCreated : 0) | (r.ClientId != null ? HasClient : 0));
                if (r.CreatedUtc.HasValue) WriteInt64(UploadJournal.ToUnixSeconds(r.CreatedUtc.Value));
                if (r.ClientId != null) WriteText(r.ClientId);
                if (_length >= PartBytes || i == count - 1)
                {
                    storePart(_buffer, _length);
                    _length = 0;
                }
            }
            return count;
        }

        private void WriteText(string text)
        {
            Reserve(5 + Encoding.UTF8.GetMaxByteCount(text.Length));
            int length = Encoding.UTF8.GetByteCount(text);
            for (uint v = (uint)length; ; v >>= 7)
            {
                if (v < 0x80) { _buffer[_length++] = (byte)v; break; }
                _buffer[_length++] = (byte)(v | 0x80);
            }
            _length += Encoding.UTF8.GetBytes(text, 0, text.Length, _buffer, _length);
        }

        private void WriteInt64(long value)
        {
            Reserve(8);
            for (int i = 0; i < 8; i++, value >>= 8) _buffer[_length++] = (byte)value;
        }

        private void Reserve(int bytes)
        {
            if (_length + bytes > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_length + bytes, _buffer.Length * 2));
        }

        /// <summary>Walks a blob's records in order; text stays UTF-8, for SQLite to take as it is.</summary>
        public ref struct Reader
        {
            private readonly ReadOnlySpan<byte> _blob;
            private int _at;

            public Reader(ReadOnlySpan<byte> blob)
            {
                _blob = blob;
                _at = 0;
                RecordId = ClientId = default;
                Fingerprint = 0;
                CreatedUnixSeconds = null;
            }

            public ReadOnlySpan<byte> RecordId { get; private set; }
            public long Fingerprint { get; private set; }
            public long? CreatedUnixSeconds { get; private set; }
            /// <summary>Empty when the record has none; see <see cref="HasClientId"/>.</summary>
            public ReadOnlySpan<byte> ClientId { get; private set; }
            public bool HasClientId { get; private set; }

            public bool Next()
            {
                if (_at >= _blob.Length) return false;
                RecordId = ReadText();
                Fingerprint = ReadInt64();
                byte flags = _blob[_at++];
                CreatedUnixSeconds = (flags & HasCreated) != 0 ? ReadInt64() : null;
                HasClientId = (flags & HasClient) != 0;
                ClientId = HasClientId ? ReadText() : default;
                return true;
            }

            private ReadOnlySpan<byte> ReadText()
            {
                int length = 0;
                for (int shift = 0; ; shift += 7)
                {
                    byte b = _blob[_at++];
                    length |= (b & 0x7F) << shift;
                    if (b < 0x80) break;
                }
                var text = _blob.Slice(_at, length);
                _at += length;
                return text;
            }

            private long ReadInt64()
            {
                long value = 0;
                for (int i = 7; i >= 0; i--) value = (value << 8) | _blob[_at + i];
                _at += 8;
                return value;
            }
        }
    }
}
