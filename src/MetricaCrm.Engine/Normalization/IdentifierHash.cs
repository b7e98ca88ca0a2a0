using System.Security.Cryptography;
using System.Text;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>Metrica's identifier hash: MD5 of the normalised value's UTF-8 bytes, as lowercase hex.</summary>
    public static class IdentifierHash
    {
        public static string Md5Hex(string normalizedValue)
        {
            using var md5 = MD5.Create();
            byte[] hash = md5.ComputeHash(Encoding.UTF8.GetBytes(normalizedValue));
            var sb = new StringBuilder(32);
            foreach (byte b in hash) sb.Append(b.ToString("x2"));
            return sb.ToString();
        }

        /// <summary>True for 32 hex digits: a value that already is a hash passes through as lowercase.</summary>
        public static bool IsMd5Hex(string value)
        {
            if (value.Length != 32) return false;
            foreach (char c in value)
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) return false;
            return true;
        }
    }
}
