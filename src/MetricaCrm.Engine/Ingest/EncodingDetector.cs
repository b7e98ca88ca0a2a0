using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>
    /// Decides a file's text encoding from its bytes: a BOM (UTF-8, UTF-16 LE/BE) wins; else UTF-16 by its NUL bytes;
    /// else valid UTF-8; else Windows-1251 when the text reads as Russian; else a located error instead of mojibake.
    /// </summary>
    public static class EncodingDetector
    {
        private const int SampleBytes = 1 << 20;

        static EncodingDetector()
        {
            // .NET (Core) ships only Unicode encodings until the code-page provider is registered.
            Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        }

        public static Encoding Windows1251 => Encoding.GetEncoding(1251);

        public static Encoding Resolve(string name)
        {
            switch (name.Trim().ToLowerInvariant())
            {
                case "utf8": case "utf-8": case "utf8bom": case "utf8nobom": return new UTF8Encoding(false);
                case "unicode": case "utf-16": case "utf16": case "utf-16le": return Encoding.Unicode;
                case "bigendianunicode": case "utf-16be": return Encoding.BigEndianUnicode;
                case "1251": case "windows-1251": case "cp1251": case "ansi": return Windows1251;
                default:
                    try { return Encoding.GetEncoding(name); }
                    catch (ArgumentException) { throw new ArgumentException($"'{name}' is not an encoding name (try UTF8, Unicode, BigEndianUnicode or windows-1251)."); }
            }
        }

        public static Encoding Detect(string path)
        {
            var buffer = new byte[SampleBytes];
            int length;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                length = ReadFully(stream, buffer);

            if (length >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF) return new UTF8Encoding(false);
            if (length >= 2 && buffer[0] == 0xFF && buffer[1] == 0xFE) return Encoding.Unicode;
            if (length >= 2 && buffer[0] == 0xFE && buffer[1] == 0xFF) return Encoding.BigEndianUnicode;

            // Excel's "Unicode text" and some exports are UTF-16 without a BOM: ASCII characters leave a NUL byte in every
            // other position, which UTF-8 would read as valid text with a NUL in every name.
            var utf16 = Utf16WithoutBom(buffer, length);
            if (utf16 != null) return utf16;

            // A sample cut in the middle of a multi-byte character must not count against UTF-8.
            int end = length;
            if (length == SampleBytes)
                while (end > 0 && (buffer[end - 1] & 0xC0) == 0x80) end--;
            if (end > 0 && length == SampleBytes && buffer[end - 1] >= 0xC0) end--;

            int bad = FirstInvalidUtf8(buffer, end, out int badLength);
            if (bad < 0) return new UTF8Encoding(false);
            if (LooksLikeWindows1251(buffer, end)) return Windows1251;
            string bytes = string.Join(" ", Enumerable.Range(bad, badLength).Select(i => "0x" + buffer[i].ToString("X2", CultureInfo.InvariantCulture)));
            string before = TextBefore(buffer, bad);
            throw new CrmInputException("UnsupportedEncoding",
                $"{path}, {Where(buffer, bad)}: {(badLength == 1 ? "byte" : "bytes")} {bytes}{(before.Length > 0 ? $" after '{before}'" : "")} " +
                $"{(badLength == 1 ? "is" : "are")} not UTF-8, and the file is not Windows-1251 text either. Name its encoding: read as UTF-8, " +
                "only the rows with such bytes are rejected (InvalidEncoding); Windows-1251 if Excel or 1C saved it on Russian Windows.");
        }

        /// <summary>UTF-16 LE or BE when NUL bytes stand in one parity of positions only and the sample decodes as UTF-16; else null.</summary>
        private static Encoding? Utf16WithoutBom(byte[] buffer, int length)
        {
            int even = 0, odd = 0, pairs = length / 2;
            for (int i = 0; i + 1 < length; i += 2)
            {
                if (buffer[i] == 0) even++;
                if (buffer[i + 1] == 0) odd++;
            }
            // ASCII (digits, separators, line breaks, Latin) is a good part of any CSV, Cyrillic headers included; a
            // stray NUL or two in a binary file is no evidence.
            bool little = odd >= pairs / 10 && odd >= 4 && even <= odd / 100;
            bool big = even >= pairs / 10 && even >= 4 && odd <= even / 100;
            if (!little && !big) return null;
            int n = pairs * 2;
            // Not between the halves of a surrogate pair at the sample's end.
            int last = little ? buffer[n - 1] : buffer[n - 2];
            if (last >= 0xD8 && last <= 0xDB) n -= 2;
            try
            {
                new UnicodeEncoding(bigEndian: big, byteOrderMark: false, throwOnInvalidBytes: true).GetCharCount(buffer, 0, n);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
            return big ? Encoding.BigEndianUnicode : Encoding.Unicode;
        }

        /// <summary>The offset of the first byte that does not begin a valid UTF-8 character, and the length of its bad sequence; -1 when all is valid.</summary>
        private static int FirstInvalidUtf8(byte[] b, int length, out int badLength)
        {
            badLength = 0;
            for (int i = 0; i < length;)
            {
                byte c = b[i];
                if (c < 0x80) { i++; continue; }
                int need = c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
                int ok = 0;
                if (need > 0)
                {
                    while (ok < need && i + 1 + ok < length && (b[i + 1 + ok] & 0xC0) == 0x80) ok++;
                    // Overlong three- and four-byte forms, surrogates and code points over U+10FFFF.
                    if (ok == need && (c == 0xE0 && b[i + 1] < 0xA0 || c == 0xED && b[i + 1] > 0x9F || c == 0xF0 && b[i + 1] < 0x90 || c == 0xF4 && b[i + 1] > 0x8F)) ok = -1;
                }
                if (need > 0 && ok == need) { i += need + 1; continue; }
                badLength = Math.Max(1, ok + 1);
                return i;
            }
            return -1;
        }

        /// <summary>"line L, column C (byte B)" of an offset: lines end at LF, CR LF or CR; columns count characters.</summary>
        private static string Where(byte[] b, int offset)
        {
            long line = 1;
            int start = 0;
            for (int i = 0; i < offset; i++)
            {
                if (b[i] == '\n' || b[i] == '\r' && (i + 1 >= offset || b[i + 1] != '\n')) { line++; start = i + 1; }
            }
            int column = new UTF8Encoding(false).GetCharCount(b, start, offset - start) + 1;
            return $"line {line.ToString("N0", CultureInfo.InvariantCulture)}, column {column.ToString("N0", CultureInfo.InvariantCulture)} (byte {offset.ToString("N0", CultureInfo.InvariantCulture)})";
        }

        /// <summary>Up to 30 characters before an offset on its line, to find the spot in an editor.</summary>
        private static string TextBefore(byte[] b, int offset)
        {
            int start = offset;
            while (start > 0 && offset - start < 120 && b[start - 1] != '\n' && b[start - 1] != '\r') start--;
            var text = new UTF8Encoding(false).GetString(b, start, offset - start);
            text = new string(text.Where(ch => !char.IsControl(ch)).ToArray());
            return text.Length <= 30 ? text : "…" + text.Substring(text.Length - 30);
        }

        /// <summary>Most high bytes of a 1251 Russian text are Cyrillic letters (0xC0-0xFF, Ё/ё); binary or other code pages are not.</summary>
        private static bool LooksLikeWindows1251(byte[] bytes, int length)
        {
            int high = 0, letters = 0, controls = 0;
            for (int i = 0; i < length; i++)
            {
                byte b = bytes[i];
                if (b < 0x20 && b != 9 && b != 10 && b != 13) controls++;
                if (b < 0x80) continue;
                high++;
                if (b >= 0xC0 || b == 0xA8 || b == 0xB8 || b == 0xB9 || b == 0xAB || b == 0xBB || b == 0x96 || b == 0x97 || b == 0xA0) letters++;
            }
            return controls == 0 && high > 0 && letters >= high * 0.9;
        }

        private static int ReadFully(Stream stream, byte[] buffer)
        {
            int total = 0, n;
            while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0) total += n;
            return total;
        }
    }
}
