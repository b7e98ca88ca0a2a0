using System;
using System.IO;
using System.Text;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>
    /// Decides a file's text encoding from its bytes: a BOM (UTF-8, UTF-16 LE/BE) wins; else valid UTF-8;
    /// else Windows-1251 when the text reads as Russian; else a clear error instead of mojibake.
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

            // A sample cut in the middle of a multi-byte character must not count against UTF-8.
            int end = length;
            if (length == SampleBytes)
                while (end > 0 && (buffer[end - 1] & 0xC0) == 0x80) end--;
            if (end > 0 && length == SampleBytes && buffer[end - 1] >= 0xC0) end--;

            var strictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
            try
            {
                strictUtf8.GetCharCount(buffer, 0, end);
                return new UTF8Encoding(false);
            }
            catch (DecoderFallbackException ex)
            {
                if (LooksLikeWindows1251(buffer, end)) return Windows1251;
                throw new CrmInputException("UnsupportedEncoding",
                    $"{path}: the file is neither valid UTF-8 (bad byte at offset {ex.Index}) nor plausible Windows-1251 text. " +
                    "Save it as UTF-8, or name its encoding.");
            }
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
