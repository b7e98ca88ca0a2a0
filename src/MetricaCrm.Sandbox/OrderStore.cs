using System.Buffers.Binary;
using System.Collections;
using System.Text;
using System.Text.Unicode;

namespace MetricaCrm.Sandbox;

/// <summary>
/// A counter's stored orders, compact: each order is one encoded record in pooled 4 MB chunks, found by its id through an
/// open-addressing index (a long per entry, at most three quarters full) and a long per order for the record's address,
/// so that millions of orders cost about 80 bytes each instead of a graph of objects (issue 11: 5M orders in 600 MB). Reading an order materialises a new <see cref="StoredOrder"/>;
/// merges go through <see cref="Existing"/>, <see cref="Fresh"/> and <see cref="Save"/>, which reuse two orders instead
/// of allocating per row. Not thread-safe: the counter's <see cref="CounterState.Gate"/> guards it, as it did the dictionary.
/// </summary>
/// <remarks>
/// A record: its length, the id, a bit set of the fields present, kind, upload id, creation date, then each present field
/// in the bit set's order. Strings that repeat across orders (kind, upload id, status, currency, goals, client type,
/// attribute names) are indices into a per-store table; digit strings and fixed-layout dates are packed as numbers;
/// the rest is UTF-8 (UTF-16 for the rare string UTF-8 cannot round-trip). Decoding gives back the exact strings.
/// </remarks>
public sealed class OrderStore : IReadOnlyDictionary<string, StoredOrder>
{
    private const int ChunkBits = 22;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly List<byte[]> _chunks = new();
    private int _tail = ChunkSize; // write position in the last chunk; full, so the first record opens one
    private long _liveBytes, _deadBytes;

    // Slots are in insertion order; _address[slot] is where the order's record is.
    private long[] _address = new long[16];
    // The index, open addressing with linear probing: the id's hash in the high half, 1 + its slot in the low half, 0 for none.
    // A probe reads only this array until a hash matches, and growing it rehashes from the stored hashes, without
    // touching the records (the cache misses of a chained table were a third of the sandbox's time per stored row).
    private long[] _index = new long[32];

    private readonly List<string> _strings = new();
    private readonly Dictionary<string, int> _stringIndex = new(StringComparer.Ordinal);

    private byte[] _scratch = new byte[256];
    private readonly StoredOrder _existing = new(), _fresh = new();

    public int Count { get; private set; }

    public StoredOrder this[string id] => TryGetValue(id, out var order) ? order : throw new KeyNotFoundException($"No stored order '{id}'.");

    public bool ContainsKey(string id) => Find(id) >= 0;

    public bool TryGetValue(string id, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out StoredOrder order)
    {
        int slot = Find(id);
        order = slot < 0 ? null : Decode(_address[slot], new StoredOrder());
        return order != null;
    }

    public IEnumerable<string> Keys
    {
        get { for (int i = 0; i < Count; i++) yield return ReadId(_address[i]); }
    }

    public IEnumerable<StoredOrder> Values
    {
        get { for (int i = 0; i < Count; i++) yield return Decode(_address[i], new StoredOrder()); }
    }

    public IEnumerator<KeyValuePair<string, StoredOrder>> GetEnumerator()
    {
        foreach (var order in Values) yield return new(order.Id, order);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The client_uniq_id of every order, without materialising the orders.</summary>
    public IEnumerable<string?> ClientUniqIds()
    {
        for (int i = 0; i < Count; i++) yield return ReadClientUniqId(_address[i]);
    }

    /// <summary>The stored order to merge into, decoded into a buffer reused by every call; null if there is none.</summary>
    internal StoredOrder? Existing(string id)
    {
        int slot = Find(id);
        return slot < 0 ? null : Decode(_address[slot], _existing);
    }

    /// <summary>A blank order, reused by every call (valid until the next call).</summary>
    internal StoredOrder Fresh(string id, string kind)
    {
        _fresh.Reset(id, kind);
        return _fresh;
    }

    /// <summary>Stores the order under its id, replacing the one stored before.</summary>
    public void Save(StoredOrder order)
    {
        var record = Encode(order);
        int length = record.Length;
        var key = KeyOf(record);
        int hash = Hash(key);
        int slot = Find(key, hash, out int free);
        if (slot >= 0)
        {
            var (chunk, offset) = Locate(_address[slot]);
            int oldLength = RecordLength(chunk, offset);
            _liveBytes -= oldLength;
            if (length <= oldLength)
            {
                // Rewritten in place; what is left of the old record is never read again.
                record.CopyTo(chunk.AsSpan(offset));
                _deadBytes += oldLength - length;
                _liveBytes += length;
                return;
            }
            _deadBytes += oldLength;
            _address[slot] = Append(record);
            CompactIfMostlyDead();
            return;
        }
        // 1.5 times, not double: the spare slots are a fifth of the store's memory at millions of orders.
        if (Count == _address.Length) Array.Resize(ref _address, _address.Length + _address.Length / 2);
        // At most three quarters full, so that a probe for a new id stays within a cache line or two.
        if ((Count + 1) * 4L > _index.Length * 3L)
        {
            GrowIndex();
            Find(key, hash, out free);
        }
        _address[Count] = Append(record);
        _index[free] = (long)hash << 32 | (uint)(Count + 1);
        Count++;
    }

    private long Append(ReadOnlySpan<byte> record)
    {
        int length = record.Length;
        if (_tail + length > ChunkSize || _chunks.Count == 0)
        {
            _chunks.Add(new byte[Math.Max(ChunkSize, length)]);
            _tail = 0;
        }
        record.CopyTo(_chunks[^1].AsSpan(_tail));
        long address = ((long)(_chunks.Count - 1) << 32) | (uint)_tail;
        _tail += length;
        _liveBytes += length;
        return address;
    }

    /// <summary>Replacing orders with longer ones leaves dead records behind: copy the live ones once they are the minority.</summary>
    private void CompactIfMostlyDead()
    {
        if (_deadBytes < 64L * 1024 * 1024 || _deadBytes < _liveBytes) return;
        var old = _chunks.ToArray();
        _chunks.Clear();
        _tail = ChunkSize;
        _liveBytes = _deadBytes = 0;
        for (int i = 0; i < Count; i++)
        {
            var chunk = old[(int)(_address[i] >> 32)];
            int offset = (int)(uint)_address[i];
            int length = RecordLength(chunk, offset);
            _address[i] = Append(chunk.AsSpan(offset, length));
        }
    }

    private void GrowIndex()
    {
        var old = _index;
        _index = new long[old.Length * 2];
        int mask = _index.Length - 1;
        foreach (long entry in old)
        {
            if (entry == 0) continue;
            int i = (int)(entry >> 32) & mask;
            while (_index[i] != 0) i = (i + 1) & mask;
            _index[i] = entry;
        }
    }

    private int Find(string id)
    {
        int size = id.Length * 3 + 16;
        Span<byte> buffer = size <= 1024 ? stackalloc byte[1024] : new byte[size];
        var w = new Writer(buffer, null);
        w.String(id);
        var key = w.Written;
        return Find(key, Hash(key), out _);
    }

    /// <summary>The slot of the order whose encoded id is <paramref name="key"/>, or -1 and the free entry of the index where it would go.</summary>
    private int Find(ReadOnlySpan<byte> key, int hash, out int free)
    {
        int mask = _index.Length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask)
        {
            long entry = _index[i];
            if (entry == 0)
            {
                free = i;
                return -1;
            }
            if ((int)(entry >> 32) != hash) continue;
            int slot = (int)(uint)entry - 1;
            var (chunk, offset) = Locate(_address[slot]);
            if (KeyOf(chunk.AsSpan(offset)).SequenceEqual(key))
            {
                free = -1;
                return slot;
            }
        }
    }

    private static int Hash(ReadOnlySpan<byte> key)
    {
        var h = new HashCode();
        h.AddBytes(key);
        return h.ToHashCode();
    }

    private (byte[] Chunk, int Offset) Locate(long address) => (_chunks[(int)(address >> 32)], (int)(uint)address);

    private static int RecordLength(byte[] chunk, int offset)
    {
        var r = new Reader(chunk.AsSpan(offset), null!);
        int length = (int)r.Varint();
        return r.Position + length;
    }

    /// <summary>The encoded id: the bytes after the record's length.</summary>
    private static ReadOnlySpan<byte> KeyOf(ReadOnlySpan<byte> record)
    {
        var r = new Reader(record, null!);
        r.Varint();
        int start = r.Position;
        r.SkipString();
        return record[start..r.Position];
    }

    private string ReadId(long address)
    {
        var (chunk, offset) = Locate(address);
        var r = new Reader(chunk.AsSpan(offset), _strings);
        r.Varint();
        return r.String();
    }

    private string? ReadClientUniqId(long address)
    {
        var (chunk, offset) = Locate(address);
        var r = new Reader(chunk.AsSpan(offset), _strings);
        r.Varint();
        r.SkipString();
        var fields = (Field)r.Varint();
        r.Varint();
        r.Varint();
        r.SkipString();
        return (fields & Field.ClientUniqId) != 0 ? r.String() : null;
    }

    [Flags]
    private enum Field
    {
        Linked = 1, ClientUniqId = 2, ClientIds = 4, Emails = 8, Phones = 16, Goals = 32, OrderStatus = 64, Revenue = 128,
        Currency = 256, Cost = 512, EmailsMd5 = 1024, PhonesMd5 = 2048, ClientType = 4096, UpdateDateTime = 8192,
        FinishDateTime = 16384, Products = 32768, Attributes = 65536,
    }

    /// <summary>The order's record, in <see cref="_scratch"/> (valid until the next call).</summary>
    private ReadOnlySpan<byte> Encode(StoredOrder o)
    {
        while (true)
        {
            // Written after a 5-byte gap for the length.
            var w = new Writer(_scratch.AsSpan(5), this);
            var fields = (o.Linked ? Field.Linked : 0) | (o.ClientUniqId != null ? Field.ClientUniqId : 0)
                | (o.ClientIds.Count > 0 ? Field.ClientIds : 0) | (o.Emails.Count > 0 ? Field.Emails : 0) | (o.Phones.Count > 0 ? Field.Phones : 0)
                | (o.Goals.Count > 0 ? Field.Goals : 0) | (o.OrderStatus != null ? Field.OrderStatus : 0) | (o.Revenue != null ? Field.Revenue : 0)
                | (o.Currency != null ? Field.Currency : 0) | (o.Cost != null ? Field.Cost : 0) | (o.EmailsMd5.Count > 0 ? Field.EmailsMd5 : 0)
                | (o.PhonesMd5.Count > 0 ? Field.PhonesMd5 : 0) | (o.ClientType != null ? Field.ClientType : 0)
                | (o.UpdateDateTime != null ? Field.UpdateDateTime : 0) | (o.FinishDateTime != null ? Field.FinishDateTime : 0)
                | (o.Products.Count > 0 ? Field.Products : 0) | (o.Attributes.Count > 0 ? Field.Attributes : 0);
            w.String(o.Id);
            w.Varint((ulong)fields);
            w.Shared(o.Kind);
            w.Shared(o.UploadId);
            w.String(o.CreateDateTime);
            if (o.ClientUniqId != null) w.String(o.ClientUniqId);
            if (o.ClientIds.Count > 0) w.List(o.ClientIds, shared: false);
            if (o.Emails.Count > 0) w.List(o.Emails, shared: false);
            if (o.Phones.Count > 0) w.List(o.Phones, shared: false);
            if (o.Goals.Count > 0) w.List(o.Goals, shared: true);
            if (o.OrderStatus != null) w.Shared(o.OrderStatus);
            if (o.Revenue is decimal revenue) w.Decimal(revenue);
            if (o.Currency != null) w.Shared(o.Currency);
            if (o.Cost is decimal cost) w.Decimal(cost);
            if (o.EmailsMd5.Count > 0) w.List(o.EmailsMd5, shared: false);
            if (o.PhonesMd5.Count > 0) w.List(o.PhonesMd5, shared: false);
            if (o.ClientType != null) w.Shared(o.ClientType);
            if (o.UpdateDateTime != null) w.String(o.UpdateDateTime);
            if (o.FinishDateTime != null) w.String(o.FinishDateTime);
            if (o.Products.Count > 0)
            {
                w.Varint((ulong)o.Products.Count);
                foreach (var (name, quantity) in o.Products)
                {
                    w.String(name);
                    w.Varint((ulong)((quantity << 1) ^ (quantity >> 63)));
                }
            }
            if (o.Attributes.Count > 0)
            {
                w.Varint((ulong)o.Attributes.Count);
                foreach (var (name, value) in o.Attributes)
                {
                    w.Shared(name);
                    w.String(value);
                }
            }
            if (w.Overflowed)
            {
                _scratch = new byte[_scratch.Length * 2];
                continue;
            }
            // The length goes right before the body rather than moving the body (an overlapping copy costs a call into native code).
            int body = w.Position, prefix = 1;
            for (int rest = body >> 7; rest > 0; rest >>= 7) prefix++;
            for (int i = 0, rest = body; i < prefix; i++, rest >>= 7) _scratch[5 - prefix + i] = (byte)(rest >= 0x80 ? rest | 0x80 : rest);
            return _scratch.AsSpan(5 - prefix, prefix + body);
        }
    }

    private StoredOrder Decode(long address, StoredOrder o)
    {
        var (chunk, offset) = Locate(address);
        var r = new Reader(chunk.AsSpan(offset), _strings);
        r.Varint();
        o.Reset(r.String(), "");
        var fields = (Field)r.Varint();
        o.Kind = r.Shared();
        o.UploadId = r.Shared();
        o.CreateDateTime = r.String();
        o.Linked = (fields & Field.Linked) != 0;
        if ((fields & Field.ClientUniqId) != 0) o.ClientUniqId = r.String();
        if ((fields & Field.ClientIds) != 0) r.List(o.ClientIds, shared: false);
        if ((fields & Field.Emails) != 0) r.List(o.Emails, shared: false);
        if ((fields & Field.Phones) != 0) r.List(o.Phones, shared: false);
        if ((fields & Field.Goals) != 0) r.List(o.Goals, shared: true);
        if ((fields & Field.OrderStatus) != 0) o.OrderStatus = r.Shared();
        if ((fields & Field.Revenue) != 0) o.Revenue = r.Decimal();
        if ((fields & Field.Currency) != 0) o.Currency = r.Shared();
        if ((fields & Field.Cost) != 0) o.Cost = r.Decimal();
        if ((fields & Field.EmailsMd5) != 0) r.List(o.EmailsMd5, shared: false);
        if ((fields & Field.PhonesMd5) != 0) r.List(o.PhonesMd5, shared: false);
        if ((fields & Field.ClientType) != 0) o.ClientType = r.Shared();
        if ((fields & Field.UpdateDateTime) != 0) o.UpdateDateTime = r.String();
        if ((fields & Field.FinishDateTime) != 0) o.FinishDateTime = r.String();
        if ((fields & Field.Products) != 0)
            for (int n = (int)r.Varint(); n > 0; n--)
            {
                string name = r.String();
                ulong z = r.Varint();
                o.Products[name] = (long)(z >> 1) ^ -(long)(z & 1);
            }
        if ((fields & Field.Attributes) != 0)
            for (int n = (int)r.Varint(); n > 0; n--)
            {
                string name = r.Shared();
                o.Attributes[name] = r.String();
            }
        return o;
    }

    /// <summary>The store's own instance of a text it keeps once for all orders (kinds, statuses, currencies, goals); added if new.</summary>
    internal string Shared(ReadOnlySpan<char> text)
    {
        if (_stringIndex.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out int index)) return _strings[index];
        var s = text.ToString();
        Intern(s);
        return s;
    }

    private int Intern(string s)
    {
        if (!_stringIndex.TryGetValue(s, out int index))
        {
            index = _strings.Count;
            _strings.Add(s);
            _stringIndex.Add(s, index);
        }
        return index;
    }

    /// <summary>
    /// The layouts packed as numbers ('d' an ASCII digit): the date-times Metrica's CDP takes. Any other text is kept as text.
    /// </summary>
    private static readonly string[] Layouts =
        { "dddd-dd-dd dd:dd:dd", "dd.dd.dddd dd:dd:dd", "dd.dd.dddd dd:dd", "dddd-dd-dd dd:dd", "dd.dd.dddd", "dddd-dd-dd", "dd.dd.dd dd:dd", "dd.dd.dd dd:dd:dd" };

    // A string's first varint: the kind in its low two bits, then a length or the packed value.
    private const int Utf8Kind = 0, Utf16Kind = 1, NumberKind = 2, LayoutKind = 3;

    private ref struct Writer
    {
        private readonly Span<byte> _buffer;
        private readonly OrderStore? _store;

        public Writer(Span<byte> buffer, OrderStore? store)
        {
            _buffer = buffer;
            _store = store;
            Position = 0;
            Overflowed = false;
        }

        public int Position { get; private set; }
        public bool Overflowed { get; private set; }
        public ReadOnlySpan<byte> Written => _buffer[..Position];

        private bool Room(int bytes)
        {
            if (Position + bytes <= _buffer.Length) return true;
            Overflowed = true;
            return false;
        }

        public void Varint(ulong value)
        {
            if (!Room(10)) return;
            while (value >= 0x80)
            {
                _buffer[Position++] = (byte)(value | 0x80);
                value >>= 7;
            }
            _buffer[Position++] = (byte)value;
        }

        public void Shared(string s) => Varint((ulong)_store!.Intern(s));

        public void String(string s)
        {
            if (Number(s) is ulong number) { Varint(number << 2 | NumberKind); return; }
            if (Layout(s) is ulong packed) { Varint(packed << 2 | LayoutKind); return; }
            if (!Room(s.Length * 3 + 10)) return;
            int start = Position;
            // The length first, then the bytes in place: no move of them (an overlapping copy calls into native code).
            Varint((ulong)Encoding.UTF8.GetByteCount(s) << 2 | Utf8Kind);
            if (Utf8.FromUtf16(s, _buffer[Position..], out _, out int written, replaceInvalidSequences: false) == System.Buffers.OperationStatus.Done)
            {
                Position += written;
                return;
            }
            // A lone surrogate (JSON can carry one) would not survive UTF-8.
            Position = start;
            Varint((ulong)s.Length << 2 | Utf16Kind);
            if (!Room(s.Length * 2)) return;
            MemoryMarshalBytes(s).CopyTo(_buffer[Position..]);
            Position += s.Length * 2;
        }

        public void List(List<string> items, bool shared)
        {
            Varint((ulong)items.Count);
            foreach (var item in items)
                if (shared) Shared(item);
                else String(item);
        }

        public void Decimal(decimal value)
        {
            Span<int> bits = stackalloc int[4];
            decimal.GetBits(value, bits);
            if (!Room(1)) return;
            _buffer[Position++] = (byte)(bits[3] >> 16 | (bits[3] < 0 ? 0x80 : 0));
            Varint((uint)bits[0] | (ulong)(uint)bits[1] << 32);
            Varint((uint)bits[2]);
        }

        /// <summary>Digits without a leading zero, small enough to leave room for the kind bits.</summary>
        private static ulong? Number(string s)
        {
            if (s.Length is 0 or > 19 || s[0] == '0' && s.Length > 1) return null;
            ulong value = 0;
            foreach (char c in s)
            {
                if (!char.IsAsciiDigit(c)) return null;
                value = value * 10 + (ulong)(c - '0');
            }
            return value < 1UL << 61 ? value : null;
        }

        /// <summary>The digits of one of <see cref="Layouts"/> as a number, times 8, plus the layout's index.</summary>
        private static ulong? Layout(string s)
        {
            for (int i = 0; i < Layouts.Length; i++)
            {
                var layout = Layouts[i];
                if (s.Length != layout.Length) continue;
                ulong digits = 0;
                int j = 0;
                for (; j < s.Length; j++)
                {
                    char c = s[j];
                    if (layout[j] == 'd')
                    {
                        if (!char.IsAsciiDigit(c)) break;
                        digits = digits * 10 + (ulong)(c - '0');
                    }
                    else if (c != layout[j]) break;
                }
                if (j == s.Length) return digits * 8 + (ulong)i;
            }
            return null;
        }
    }

    private static ReadOnlySpan<byte> MemoryMarshalBytes(string s) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(s.AsSpan());

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _buffer;
        private readonly List<string> _strings;

        public Reader(ReadOnlySpan<byte> buffer, List<string> strings)
        {
            _buffer = buffer;
            _strings = strings;
            Position = 0;
        }

        public int Position { get; private set; }

        public ulong Varint()
        {
            ulong value = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = _buffer[Position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
        }

        public string Shared() => _strings[(int)Varint()];

        public string String()
        {
            ulong head = Varint();
            ulong payload = head >> 2;
            switch ((int)(head & 3))
            {
                case NumberKind:
                    return payload.ToString(System.Globalization.CultureInfo.InvariantCulture);
                case LayoutKind:
                {
                    var layout = Layouts[(int)(payload % 8)];
                    ulong digits = payload / 8;
                    return string.Create(layout.Length, (layout, digits), static (span, state) =>
                    {
                        var (layout, digits) = state;
                        for (int j = layout.Length - 1; j >= 0; j--)
                        {
                            if (layout[j] != 'd') { span[j] = layout[j]; continue; }
                            span[j] = (char)('0' + (int)(digits % 10));
                            digits /= 10;
                        }
                    });
                }
                case Utf16Kind:
                {
                    var bytes = _buffer.Slice(Position, (int)payload * 2);
                    Position += bytes.Length;
                    return new string(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(bytes));
                }
                default:
                {
                    var bytes = _buffer.Slice(Position, (int)payload);
                    Position += bytes.Length;
                    return Encoding.UTF8.GetString(bytes);
                }
            }
        }

        public void SkipString()
        {
            ulong head = Varint();
            if ((head & 3) == Utf8Kind) Position += (int)(head >> 2);
            else if ((head & 3) == Utf16Kind) Position += (int)(head >> 2) * 2;
        }

        public void List(List<string> into, bool shared)
        {
            for (int n = (int)Varint(); n > 0; n--) into.Add(shared ? Shared() : String());
        }

        public decimal Decimal()
        {
            byte scaleAndSign = _buffer[Position++];
            ulong low = Varint();
            uint high = (uint)Varint();
            return new decimal((int)(uint)low, (int)(uint)(low >> 32), (int)high, (scaleAndSign & 0x80) != 0, (byte)(scaleAndSign & 0x7F));
        }
    }
}
