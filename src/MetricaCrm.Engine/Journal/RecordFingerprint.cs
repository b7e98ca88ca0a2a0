using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MetricaCrm.Engine.Journal
{
    /// <summary>
    /// Builds a record's fingerprint from its values as sent: fields separated by U+001F, list items by commas, null
    /// as nothing. The values go as UTF-8 straight into one buffer per thread, so a record costs no text of its own;
    /// the bytes are those of the joined text, so the fingerprints are those of journals written before.
    /// </summary>
    public sealed class RecordFingerprint
    {
        [ThreadStatic] private static RecordFingerprint? _current;

        private readonly SHA256 _sha = SHA256.Create();
        private byte[] _buffer = new byte[1024];
        private readonly char[] _digits = new char[64];
        private string[] _keys = new string[8];
        private int _length;
        private bool _started;

        private RecordFingerprint() { }

        /// <summary>The thread's builder, emptied: this runs for every record a send journals.</summary>
        public static RecordFingerprint Start()
        {
            var f = _current ??= new RecordFingerprint();
            f._length = 0;
            f._started = false;
            return f;
        }

        /// <summary>
        /// The first 8 bytes of SHA-256 of the record's values as sent, the same in every process and on every platform
        /// (string.GetHashCode is not). 64 bits suffice: a fingerprint is only ever compared with the same record's
        /// previous one, so a change goes unnoticed with probability 2^-64, and 8 bytes instead of 16 keep the accepted
        /// table (one row per record ever accepted) small. It detects change; it is not a security boundary.
        /// </summary>
        public long Finish()
        {
            byte[] hash = _sha.ComputeHash(_buffer, 0, _length);
            long value = 0;
            for (int i = 7; i >= 0; i--) value = (value << 8) | hash[i]; // little-endian, whatever the machine's order
            return value;
        }

        /// <summary>The fingerprint of a text as it is: what the fields of a record amount to.</summary>
        public static long Of(string canonicalValues) => Start().Append(canonicalValues).Finish();

        /// <summary>Starts the next field (the first needs no separator).</summary>
        public RecordFingerprint Next()
        {
            if (_started) AppendByte(0x1F);
            _started = true;
            return this;
        }

        public RecordFingerprint Field(string? value) => Next().Append(value);

        /// <summary>A number as invariant digits (ticks, counts); null as nothing.</summary>
        public RecordFingerprint Field(long? value) => value.HasValue ? Next().Append(value.Value) : Next();

        /// <summary>A decimal as decimal.ToString(CultureInfo.InvariantCulture) writes it; null as nothing.</summary>
        public RecordFingerprint Field(decimal? value)
        {
            Next();
            if (!value.HasValue) return this;
#if NETFRAMEWORK
            return Append(value.Value.ToString(CultureInfo.InvariantCulture));
#else
            value.Value.TryFormat(_digits, out int written, default, CultureInfo.InvariantCulture); // 64 chars hold any decimal
            Reserve(written);
            for (int i = 0; i < written; i++) _buffer[_length++] = (byte)_digits[i]; // digits, '-' and '.': ASCII
            return this;
#endif
        }

        /// <summary>Items joined by commas.</summary>
        public RecordFingerprint Field(IReadOnlyList<string> values)
        {
            Next();
            for (int i = 0; i < values.Count; i++)
            {
                if (i > 0) AppendByte((byte)',');
                Append(values[i]);
            }
            return this;
        }

        /// <summary>key=value pairs by key (ordinal), joined by commas: the same values in any order give the same field.</summary>
        public RecordFingerprint Field(IDictionary<string, string> values)
        {
            Next();
            if (values.Count == 0) return this;
            if (_keys.Length < values.Count) _keys = new string[Math.Max(values.Count, _keys.Length * 2)];
            values.Keys.CopyTo(_keys, 0);
            Array.Sort(_keys, 0, values.Count, StringComparer.Ordinal);
            for (int i = 0; i < values.Count; i++)
            {
                if (i > 0) AppendByte((byte)',');
                Append(_keys[i]).Append('=').Append(values[_keys[i]]);
                _keys[i] = null!;
            }
            return this;
        }

        public RecordFingerprint Append(string? text)
        {
            if (string.IsNullOrEmpty(text)) return this;
            Reserve(Encoding.UTF8.GetMaxByteCount(text!.Length));
            _length += Encoding.UTF8.GetBytes(text, 0, text.Length, _buffer, _length);
            return this;
        }

        public RecordFingerprint Append(char c)
        {
            if (c < 0x80) { AppendByte((byte)c); return this; }
            return Append(c.ToString());
        }

        public RecordFingerprint Append(long value)
        {
            // Invariant digits without a string: what long.ToString(CultureInfo.InvariantCulture) writes.
            ulong magnitude = value < 0 ? (ulong)(-(value + 1)) + 1 : (ulong)value;
            int at = _digits.Length;
            do { _digits[--at] = (char)('0' + (int)(magnitude % 10)); magnitude /= 10; } while (magnitude != 0);
            if (value < 0) _digits[--at] = '-';
            Reserve(_digits.Length - at);
            for (int i = at; i < _digits.Length; i++) _buffer[_length++] = (byte)_digits[i];
            return this;
        }

        private void AppendByte(byte b)
        {
            Reserve(1);
            _buffer[_length++] = b;
        }

        private void Reserve(int bytes)
        {
            if (_length + bytes <= _buffer.Length) return;
            Array.Resize(ref _buffer, Math.Max(_length + bytes, _buffer.Length * 2));
        }
    }
}
