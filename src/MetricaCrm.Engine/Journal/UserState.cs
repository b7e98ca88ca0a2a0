using System;
using System.IO;
using System.Security.Cryptography;
using MetricaCrm.Engine.Storage;

namespace MetricaCrm.Engine.Journal
{
    /// <summary>
    /// What every process of the user shares whatever journal a send keeps (or none): the request budget of each API
    /// address and the secret that keys the token's hash. In the per-user folder of the default journal.
    /// </summary>
    public static class UserState
    {
        public static string Folder() => Path.GetDirectoryName(UploadJournal.DefaultPath())!;

        /// <summary>
        /// The request budget file of an API address. Metrica's quotas are the user's (per token) across every process and
        /// journal, so its budget is one per-user file. A loopback address is the sandbox, a server with quotas of its
        /// own per run: its budget is a file per port in the temporary folder, so rehearsals neither spend nor clutter
        /// the real one.
        /// </summary>
        public static string BudgetPath(Uri api)
        {
            if (api.IsLoopback)
                return Path.Combine(Path.GetTempPath(), "metricacrm-budgets-" + Environment.UserName, $"budget-{api.Host}-{api.Port}.db");
            return string.Equals(api.Host, Metrica.MetricaClient.DefaultBaseUri.Host, StringComparison.OrdinalIgnoreCase)
                ? Path.Combine(Folder(), "budget.db")
                : Path.Combine(Folder(), $"budget-{api.Host}-{api.Port}.db");
        }

        /// <summary>32 random bytes made once per user folder (0600 on Unix), read by every process of the user.</summary>
        public static byte[] Secret(string folder)
        {
            PrivateFiles.CreateDirectory(folder);
            string path = Path.Combine(folder, "token-key.secret");
            for (int attempt = 0; ; attempt++)
            {
                try
                {
                    if (File.Exists(path))
                    {
                        byte[] known = File.ReadAllBytes(path);
                        if (known.Length == SecretLength) return known;
                        // A process making it right now has not written it yet: read again.
                        if (attempt < 50) { System.Threading.Thread.Sleep(20); continue; }
                        throw new IOException($"{path} is not a MetricaCrm secret ({known.Length} bytes): move it aside and run again.");
                    }
                    byte[] secret = new byte[SecretLength];
                    using (var rng = RandomNumberGenerator.Create()) rng.GetBytes(secret);
                    using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
                    {
                        PrivateFiles.RestrictFile(path);
                        file.Write(secret, 0, secret.Length);
                    }
                    return secret;
                }
                catch (IOException) when (attempt < 50 && File.Exists(path))
                {
                    // Another process created it first: read its secret.
                }
            }
        }

        private const int SecretLength = 32;
    }
}
