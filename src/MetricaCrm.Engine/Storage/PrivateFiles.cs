using System;
using System.IO;

namespace MetricaCrm.Engine.Storage
{
    /// <summary>
    /// Files that hold personal data (the journal, kept batches, kept upload files, reject files) readable by their
    /// owner only. On Unix: folders this module creates are 0700, files 0600, whatever the umask. On Windows the default
    /// locations are under the user's profile (%LOCALAPPDATA%), whose inherited ACL already admits only the user,
    /// SYSTEM and Administrators; a folder the user names keeps the ACL the user gave it.
    /// </summary>
    public static class PrivateFiles
    {
        /// <summary>Creates <paramref name="path"/> and any missing parents; only the folders created here are restricted,
        /// never an existing one (a shared folder such as /tmp stays as it is).</summary>
        public static void CreateDirectory(string path)
        {
            string full = Path.GetFullPath(path);
            if (Directory.Exists(full)) return;
            string? parent = Path.GetDirectoryName(full);
            if (parent != null && parent != full) CreateDirectory(parent);
            Directory.CreateDirectory(full);
            Restrict(full, directory: true);
        }

        /// <summary>Makes a file this module just created readable and writable by its owner only.</summary>
        public static void RestrictFile(string path) => Restrict(path, directory: false);

        private static void Restrict(string path, bool directory)
        {
#if NET
            if (OperatingSystem.IsWindows()) return;
            File.SetUnixFileMode(path, directory
                ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                : UnixFileMode.UserRead | UnixFileMode.UserWrite);
#else
            // net472 is Windows PowerShell 5.1's build: Windows, where the profile's ACL applies (see the summary).
            _ = path; _ = directory;
#endif
        }
    }
}
