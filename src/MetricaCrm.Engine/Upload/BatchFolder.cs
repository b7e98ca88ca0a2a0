using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// A folder of batch files owned by one send (or one resume) while it runs: it holds an exclusive lock on
    /// owner.lock inside, which the operating system releases when the process ends, however it ends. A batch kept in
    /// the journal stays in its folder; a later resume may settle it once it can take the folder's lock (its owner is
    /// gone), so two processes never send the same kept batch.
    /// </summary>
    public sealed class BatchFolder : IDisposable
    {
        public const string LockName = "owner.lock";
        private FileStream? _lock;

        private BatchFolder(string path, FileStream ownerLock)
        {
            Path = path;
            _lock = ownerLock;
        }

        public string Path { get; }

        /// <summary>A new folder under <paramref name="root"/> (the journal's batches folder, or the temporary folder).</summary>
        public static BatchFolder Create(string root)
        {
            // A cleanup in another process may hold a new, still empty folder for an instant: then take another name.
            for (int attempt = 0; ; attempt++)
            {
                string path = System.IO.Path.Combine(root, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
                if (TryClaim(path) is { } folder) return folder;
                if (attempt == 2) throw new IOException($"No batch folder could be made under {root}: each new one was locked by another process.");
            }
        }

        /// <summary>Takes the folder of a kept batch if no running process owns it; null while its owner runs.</summary>
        public static BatchFolder? TryClaim(string path)
        {
            try
            {
                Storage.PrivateFiles.CreateDirectory(path);
                // FileShare.None is an exclusive lock between processes (flock on Unix, a share mode on Windows).
                var ownerLock = new FileStream(System.IO.Path.Combine(path, LockName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
                return new BatchFolder(path, ownerLock);
            }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
        }

        public static string Sha256(string file)
        {
            using var sha = SHA256.Create();
            using var stream = File.OpenRead(file);
            var hex = new StringBuilder(64);
            foreach (byte b in sha.ComputeHash(stream)) hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            return hex.ToString();
        }

        public static void Delete(string file)
        {
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        /// <summary>Releases the folder; removes it when no kept batch file is left in it.</summary>
        public void Dispose()
        {
            if (_lock == null) return;
            _lock.Dispose();
            _lock = null;
            try
            {
                if (Directory.Exists(Path) && Directory.EnumerateFiles(Path).All(f => System.IO.Path.GetFileName(f) == LockName))
                    Directory.Delete(Path, recursive: true);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
