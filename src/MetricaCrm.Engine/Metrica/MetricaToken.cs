using System;
using System.Runtime.InteropServices;
using System.Security;

namespace MetricaCrm.Engine.Metrica
{
    /// <summary>
    /// An OAuth token that never shows itself: ToString, debugger display and exceptions see a mask.
    /// Only the HTTP layer reads the value, to build the Authorization header.
    /// </summary>
    public sealed class MetricaToken
    {
        private readonly string _value;

        private MetricaToken(string value) => _value = value;

        public static MetricaToken FromSecureString(SecureString secure)
        {
            IntPtr ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
            try { return FromPlainText(Marshal.PtrToStringUni(ptr) ?? ""); }
            finally { Marshal.ZeroFreeGlobalAllocUnicode(ptr); }
        }

        public static MetricaToken FromPlainText(string value)
        {
            value = value.Trim();
            if (value.StartsWith("OAuth ", StringComparison.OrdinalIgnoreCase)) value = value.Substring(6).Trim();
            if (value.Length == 0) throw new ArgumentException("The Metrica OAuth token is empty.");
            return new MetricaToken(value);
        }

        internal string HeaderValue => "OAuth " + _value;

        /// <summary>
        /// Shorter values are not searched for: a real OAuth token is dozens of characters, while replacing a short
        /// (test or mistyped) one would garble ordinary words of the message and reveal the token by the gaps.
        /// </summary>
        public const int MinRedactedLength = 8;

        /// <summary>Removes the token from a text that might echo it (a server message, an exception).</summary>
        public string Redact(string? text)
        {
            if (string.IsNullOrEmpty(text)) return text ?? "";
            return _value.Length < MinRedactedLength ? text! : text!.Replace(_value, "***");
        }

        public override string ToString() => "OAuth ***";
    }
}
