using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>
    /// The file as the CSV reader sees it, with every cell cut at <see cref="MaxCellCharacters"/> and every record at
    /// <see cref="MaxRecordCharacters"/> before the reader buffers it: a 200 MB value would otherwise grow the reader's
    /// buffer to hold it and then become a 400 MB string, its error message and its reject-file cells (gigabytes in
    /// all). What was cut is listed (<see cref="TryTakeCut"/>), so its row is rejected with its line, column and length,
    /// never read as the shorter value. The quoting rules are the reader's (RFC 4180: a quote opens a field only at its
    /// start, "" inside quotes is a quote), so the cut ends where the reader's field or record ends; a cut quoted field
    /// is closed so that the rest of the file reads as before, with the same line numbers once the lines the cut
    /// dropped are added back (<see cref="CutValue.DroppedLineBreaks"/>).
    /// </summary>
    public sealed class CellLimitStream : ReadOnlyFilterStream
    {
        /// <summary>
        /// Eight times the longest text Metrica takes (4,096 characters, docs/reading-exports.md "Text limits"), so no legitimate cell
        /// comes near it (ids are at most 255, phones and dates a few dozen); a products list of ~800 items still fits.
        /// </summary>
        public const int MaxCellCharacters = 32 * 1024;

        /// <summary>32 cells at the cell bound: a row beyond it is not a CRM record (a line of a million short fields).</summary>
        public const int MaxRecordCharacters = 1024 * 1024;

        private const int Quote = '"';

        private enum State { FieldStart, Unquoted, Quoted, QuoteInQuoted }

        private readonly int _unit;
        private readonly bool _bigEndian, _utf8;
        private readonly int _separator;
        private readonly int _maxCell, _maxRecord;
        private readonly byte[] _in = new byte[1 << 16];
        private int _inPos, _inLen;
        private bool _eof;
        // Bytes to give before the next input: closing quotes and the unit that ended a cut.
        private readonly byte[] _pending = new byte[8];
        private int _pendingPos, _pendingLen;
        private readonly Queue<CutValue> _cuts = new Queue<CutValue>();

        private State _state = State.FieldStart;
        private bool _afterCr;
        private long _line = 1, _dropped, _recordLine = 1, _recordEmittedLine = 1;
        private int _field;
        private long _fieldChars, _recordChars, _recordAllChars;
        private bool _dropping, _dropRecord;
        private int _closeQuotes, _cutField;
        private long _cutBreaks, _fieldBreaks, _recordBreaks;

        /// <param name="separator">The file's separator (the reader's, detected before this stream is made).</param>
        public CellLimitStream(Stream inner, Encoding encoding, char separator, int maxCellCharacters = MaxCellCharacters, int maxRecordCharacters = MaxRecordCharacters)
            : base(inner)
        {
            if (!Supports(encoding)) throw new ArgumentException($"{encoding.WebName} is not UTF-8, UTF-16 or a single-byte encoding.", nameof(encoding));
            _unit = encoding.CodePage == 1200 || encoding.CodePage == 1201 ? 2 : 1;
            _bigEndian = encoding.CodePage == 1201;
            _utf8 = encoding.CodePage == 65001;
            _separator = separator;
            _maxCell = maxCellCharacters;
            _maxRecord = maxRecordCharacters;
        }

        /// <summary>The encodings whose separators, quotes and line breaks this stream can see: UTF-8, UTF-16 and single-byte code pages.</summary>
        public static bool Supports(Encoding encoding) =>
            encoding.CodePage == 65001 || encoding.CodePage == 1200 || encoding.CodePage == 1201 || encoding.IsSingleByte;

        /// <summary>The next cut whose record starts at or before <paramref name="emittedLine"/> of what the reader sees.</summary>
        public bool TryTakeCut(long emittedLine, out CutValue cut)
        {
            lock (_cuts)
            {
                if (_cuts.Count > 0 && _cuts.Peek().EmittedLine <= emittedLine)
                {
                    cut = _cuts.Dequeue();
                    return true;
                }
            }
            cut = null!;
            return false;
        }

        /// <summary>Whether a cut is waiting (its record not yet taken).</summary>
        public bool HasCuts
        {
            get { lock (_cuts) return _cuts.Count > 0; }
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadInto(new Span<byte>(buffer, offset, count));

#if NETCOREAPP
        public override int Read(Span<byte> buffer) => ReadInto(buffer);
#endif

        private int ReadInto(Span<byte> output)
        {
            int total = 0;
            while (total == 0 && output.Length > 0)
            {
                if (_pendingLen > 0)
                {
                    int n = Math.Min(_pendingLen, output.Length);
                    new ReadOnlySpan<byte>(_pending, _pendingPos, n).CopyTo(output);
                    _pendingPos += n;
                    _pendingLen -= n;
                    return n;
                }
                if (_inLen - _inPos < _unit && !Fill())
                {
                    if (_dropping) EndCut(-1);
                    // An odd byte at the end of UTF-16 input is passed on for the reader to report.
                    while (_inPos < _inLen) _pending[_pendingLen++] = _in[_inPos++];
                    if (_pendingLen > 0) { _pendingPos = 0; continue; }
                    return 0;
                }
                total = Process(output);
            }
            return total;
        }

        /// <summary>Reads more input after what is left of a unit; false at the end of the input.</summary>
        private bool Fill()
        {
            if (_eof) return false;
            int left = _inLen - _inPos;
            if (left > 0) Buffer.BlockCopy(_in, _inPos, _in, 0, left);
            _inPos = 0;
            _inLen = left;
            int n = Inner.Read(_in, left, _in.Length - left);
            if (n <= 0) { _eof = true; return false; }
            _inLen += n;
            return _inLen - _inPos >= _unit || Fill();
        }

        /// <summary>Passes units from the input to <paramref name="output"/> until either is used up or a cut ends.</summary>
        private int Process(Span<byte> output)
        {
            int written = 0;
            while (_inLen - _inPos >= _unit && output.Length - written >= _unit)
            {
                if (_unit == 1 && _state != State.QuoteInQuoted)
                {
                    // Dropped bytes need no room in the output.
                    int run = !_dropping && _state != State.Quoted ? Fields(output.Length - written) : 0;
                    if (run == 0) run = Run(_dropping ? int.MaxValue : output.Length - written);
                    if (run > 0)
                    {
                        if (!_dropping) new ReadOnlySpan<byte>(_in, _inPos, run).CopyTo(output.Slice(written));
                        if (!_dropping) written += run;
                        _inPos += run;
                        continue;
                    }
                }
                int c = _unit == 1 ? _in[_inPos] : _bigEndian ? _in[_inPos] << 8 | _in[_inPos + 1] : _in[_inPos] | _in[_inPos + 1] << 8;
                bool wasDropping = _dropping;
                bool ended = Step(c);
                if (ended)
                {
                    // The unit that ended the cut goes after the quotes that close it.
                    _pending[_pendingLen++] = _in[_inPos];
                    if (_unit == 2) _pending[_pendingLen++] = _in[_inPos + 1];
                    _inPos += _unit;
                    _pendingPos = 0;
                    return written;
                }
                if (!wasDropping && !_dropping)
                {
                    output[written] = _in[_inPos];
                    if (_unit == 2) output[written + 1] = _in[_inPos + 1];
                    written += _unit;
                }
                _inPos += _unit;
            }
            return written;
        }

        /// <summary>
        /// Unquoted fields up to the next quote or line break, taken at once when even as many characters as bytes could not
        /// reach a bound (most lines of most files): per line a few vectorised searches instead of one per field.
        /// 0 when that is not so; <see cref="Run"/> then goes field by field.
        /// </summary>
        private int Fields(int max)
        {
            var span = new ReadOnlySpan<byte>(_in, _inPos, Math.Min(_inLen - _inPos, max));
            if (_utf8 && (span[0] & 0xC0) == 0x80) return 0;
            int end = span.IndexOfAny((byte)Quote, (byte)'\r', (byte)'\n');
            if (end < 0)
            {
                end = span.Length;
                while (_utf8 && end > 0 && span.Length - end < 4 && span[end - 1] >= 0x80) end--;
            }
            if (end == 0 || _fieldChars + end > _maxCell || _recordChars + end > _maxRecord) return 0;
            var run = span.Slice(0, end);
            int separators = Count(run, (byte)_separator);
            int last = separators == 0 ? -1 : run.LastIndexOf((byte)_separator);
            int chars = _utf8 ? Encoding.UTF8.GetCharCount(_in, _inPos, end) : end;
            int tail = last < 0 ? chars : _utf8 ? Encoding.UTF8.GetCharCount(_in, _inPos + last + 1, end - last - 1) : end - last - 1;
            _recordChars += chars - separators;
            _recordAllChars += chars;
            _afterCr = false;
            if (separators > 0)
            {
                _field += separators;
                _fieldChars = tail;
                _fieldBreaks = 0;
                _state = tail == 0 ? State.FieldStart : State.Unquoted;
            }
            else
            {
                _fieldChars += chars;
                _state = State.Unquoted;
            }
            return end;
        }

        private static int Count(ReadOnlySpan<byte> span, byte value)
        {
#if NET8_0_OR_GREATER
            return span.Count(value);
#else
            int n = 0;
            foreach (byte b in span) if (b == value) n++;
            return n;
#endif
        }

        /// <summary>
        /// The bytes of the current value up to its next separator, quote or line break, taken (or, in a cut, dropped) at
        /// once: what <see cref="Step"/> would do byte by byte, at the speed of a vectorised search. 0 when the bytes would
        /// reach a bound (<see cref="Step"/> then finds the exact byte) or start with a byte that is not plain content.
        /// </summary>
        private int Run(int max)
        {
            var span = new ReadOnlySpan<byte>(_in, _inPos, Math.Min(_inLen - _inPos, max));
            // The rest of a character whose first byte Step took (the one a cut started at) goes byte by byte too.
            if (_utf8 && (span[0] & 0xC0) == 0x80) return 0;
            if (_state == State.FieldStart)
            {
                byte first = span[0];
                if (first == Quote || first == _separator || first == '\r' || first == '\n') return 0;
                _state = State.Unquoted; // as Step would: plain content starts an unquoted field
            }
            int end = _state == State.Unquoted
                ? span.IndexOfAny((byte)_separator, (byte)'\r', (byte)'\n')
                : span.IndexOfAny((byte)Quote, (byte)'\r', (byte)'\n');
            if (end < 0)
            {
                end = span.Length;
                // Not into a character whose bytes go on in the next read: those go byte by byte.
                while (_utf8 && end > 0 && span.Length - end < 4 && span[end - 1] >= 0x80) end--;
            }
            if (end == 0) return 0;
            long chars = _utf8 ? Encoding.UTF8.GetCharCount(_in, _inPos, end) : end;
            if (_dropping)
            {
                _fieldChars += chars;
                _recordAllChars += chars;
                return end;
            }
            if (_fieldChars + chars > _maxCell || _recordChars + chars > _maxRecord) return 0;
            _fieldChars += chars;
            _recordChars += chars;
            _recordAllChars += chars;
            _afterCr = false;
            return end;
        }

        /// <summary>Moves the parser over one unit; true when it ends a cut (the unit is then given after the closing quotes).</summary>
        private bool Step(int c)
        {
            bool lineBreak = c == '\r' || c == '\n' && !_afterCr;
            bool crlfTail = c == '\n' && _afterCr;
            _afterCr = c == '\r';
            int chars = Characters(c);
            if (lineBreak)
            {
                _line++;
                if (_state == State.Quoted) { _fieldBreaks++; _recordBreaks++; }
                // Inside quotes a line break is part of the value, so a cut drops it; outside, it ends the cut and is kept.
                if (_dropping && _state == State.Quoted) { _dropped++; _cutBreaks++; }
            }
            if (crlfTail && _state != State.Quoted) return false; // the second half of a CRLF that ended a record
            if (!lineBreak || _state == State.Quoted) _recordAllChars += chars;
            bool wasDropping = _dropping;
            bool ended = Dispatch(c, chars, lineBreak);
            // A line break in a quoted value can be the character that starts the cut: dropped with it.
            if (lineBreak && !wasDropping && _dropping) { _dropped++; _cutBreaks++; }
            return ended;
        }

        private bool Dispatch(int c, int chars, bool lineBreak)
        {
            switch (_state)
            {
                case State.Quoted:
                    if (c == Quote) { _state = State.QuoteInQuoted; return false; }
                    return Content(c, chars, escapedQuote: false);
                case State.QuoteInQuoted:
                    if (c == Quote) { _state = State.Quoted; return Content(c, chars, escapedQuote: true); }
                    if (c == _separator) return FieldEnd();
                    if (lineBreak) return RecordEnd();
                    _state = State.Unquoted;
                    return Content(c, chars, escapedQuote: false);
                case State.FieldStart:
                    if (c == Quote) { _state = State.Quoted; return false; }
                    if (c == _separator) return FieldEnd();
                    if (lineBreak) return RecordEnd();
                    _state = State.Unquoted;
                    return Content(c, chars, escapedQuote: false);
                default:
                    if (c == _separator) return FieldEnd();
                    if (lineBreak) return RecordEnd();
                    return Content(c, chars, escapedQuote: false);
            }
        }

        private int Characters(int c)
        {
            if (!_utf8) return 1;
            if ((c & 0xC0) == 0x80) return 0; // a continuation byte
            return c >= 0xF0 ? 2 : 1;          // four bytes are a surrogate pair in .NET's strings
        }

        private bool Content(int c, int chars, bool escapedQuote)
        {
            _fieldChars += chars;
            if (_dropping) return false;
            _recordChars += chars;
            // A continuation byte or a low surrogate stays with its character: the cut then falls on the next one.
            if (chars == 0 || _unit == 2 && c >= 0xDC00 && c <= 0xDFFF) return false;
            if (_fieldChars > _maxCell) StartCut(record: false, escapedQuote);
            else if (_recordChars > _maxRecord) StartCut(record: true, escapedQuote);
            return false;
        }

        private void StartCut(bool record, bool escapedQuote)
        {
            _dropping = true;
            _dropRecord = record;
            _cutField = _field;
            _cutBreaks = 0;
            // Inside quotes the reader must see the field closed; after the first quote of a "" pair, two more.
            _closeQuotes = _state == State.Quoted ? (escapedQuote ? 2 : 1) : 0;
        }

        private bool FieldEnd()
        {
            bool ended = _dropping && !_dropRecord && EndCut(_field);
            _field++;
            _fieldChars = 0;
            _fieldBreaks = 0;
            _state = State.FieldStart;
            return ended;
        }

        private bool RecordEnd()
        {
            bool ended = _dropping && EndCut(_field);
            _field = 0;
            _fieldChars = 0;
            _fieldBreaks = 0;
            _recordBreaks = 0;
            _recordChars = 0;
            _recordAllChars = 0;
            _state = State.FieldStart;
            _recordLine = _line;
            _recordEmittedLine = _line - _dropped;
            return ended;
        }

        /// <summary>Ends the cut: lists it and queues the quotes that close its field.</summary>
        private bool EndCut(int field)
        {
            long characters = _dropRecord ? _recordAllChars : _fieldChars;
            long breaks = _dropRecord ? _recordBreaks : _fieldBreaks;
            lock (_cuts) _cuts.Enqueue(new CutValue(_recordEmittedLine, _recordLine, _cutField, _dropRecord, characters, breaks, _cutBreaks));
            _dropping = false;
            _pendingPos = 0;
            _pendingLen = 0;
            for (int i = 0; i < _closeQuotes; i++)
            {
                if (_unit == 2 && !_bigEndian) { _pending[_pendingLen++] = Quote; _pending[_pendingLen++] = 0; }
                else if (_unit == 2) { _pending[_pendingLen++] = 0; _pending[_pendingLen++] = Quote; }
                else _pending[_pendingLen++] = Quote;
            }
            return field >= 0;
        }
    }
}
