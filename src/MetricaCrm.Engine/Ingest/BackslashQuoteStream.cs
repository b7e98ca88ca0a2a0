using System;
using System.IO;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>
    /// Reads a file that escapes quotes with a backslash ("ООО \"Ромашка\"") as the RFC 4180 file CsvHelper reads
    /// ("ООО ""Ромашка"""): CsvHelper 34 has no backslash escape inside quoted fields (its Escape mode has no quoting at
    /// all, so the quotes around a value would stay in it). Inside a quoted field \" becomes "" and \\ becomes \; outside
    /// one \" becomes " and \\ becomes \. A backslash before anything else is kept. Line breaks are never added or
    /// dropped, so the reader's line numbers are the file's. For encodings in which '\' and '"' are single bytes
    /// (UTF-8 and single-byte code pages) only.
    /// </summary>
    public sealed class BackslashQuoteStream : ReadOnlyFilterStream
    {
        private const byte Quote = (byte)'"', Backslash = (byte)'\\';
        private readonly byte _separator;
        private readonly byte[] _in = new byte[64 * 1024];
        // Each input byte gives at most two output bytes (\" inside quotes becomes ""), plus a byte held from before.
        private readonly byte[] _out = new byte[2 * 64 * 1024 + 2];
        private int _outPos, _outLen;
        private bool _inQuotes, _atFieldStart = true;
        // A byte whose meaning the next byte decides: a backslash, or a quote inside quotes (closing, or the first of "").
        private byte _pending;
        private bool _ended;

        public BackslashQuoteStream(Stream inner, char separator) : base(inner)
        {
            if (separator > 127) throw new ArgumentException("The separator must be an ASCII character.", nameof(separator));
            _separator = (byte)separator;
        }

        public static bool Supports(System.Text.Encoding encoding) => encoding.CodePage == 65001 || encoding.IsSingleByte;

        public override int Read(byte[] buffer, int offset, int count)
        {
            while (_outPos == _outLen)
                if (!Fill()) return 0;
            int n = Math.Min(count, _outLen - _outPos);
            Buffer.BlockCopy(_out, _outPos, buffer, offset, n);
            _outPos += n;
            return n;
        }

        /// <summary>Translates the next block of the file into <see cref="_out"/>; false at the end of the file.</summary>
        private bool Fill()
        {
            if (_ended) return false;
            _outPos = _outLen = 0;
            int n = Inner.Read(_in, 0, _in.Length);
            if (n == 0)
            {
                _ended = true;
                if (_pending != 0) _out[_outLen++] = _pending;
                _pending = 0;
                return _outLen > 0;
            }
            for (int i = 0; i < n; i++) Process(_in[i]);
            return true;
        }

        private void Emit(byte b) => _out[_outLen++] = b;

        private void Process(byte b)
        {
            if (_pending == Backslash)
            {
                _pending = 0;
                _atFieldStart = false;
                if (b == Quote)
                {
                    Emit(Quote);
                    if (_inQuotes) Emit(Quote);
                    return;
                }
                Emit(Backslash);
                if (b == Backslash) return;
            }
            else if (_pending == Quote)
            {
                _pending = 0;
                Emit(Quote);
                if (b == Quote) { Emit(Quote); return; } // RFC's "" inside quotes: still inside
                _inQuotes = false;
            }
            if (b == Backslash) { _pending = Backslash; return; }
            if (_inQuotes)
            {
                if (b == Quote) _pending = Quote;
                else Emit(b);
                return;
            }
            if (b == Quote && _atFieldStart) _inQuotes = true;
            _atFieldStart = b == _separator || b == (byte)'\n' || b == (byte)'\r';
            Emit(b);
        }
    }
}
