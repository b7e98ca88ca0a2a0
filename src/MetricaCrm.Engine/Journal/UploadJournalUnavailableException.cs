using System;
using System.IO;

namespace MetricaCrm.Engine.Journal
{
    /// <summary>
    /// The upload journal cannot be opened or used: damaged, not a database, read-only, a folder in its place, a newer
    /// schema. One type for all of them, with the file and what to do, so every command that opens the journal reports
    /// the same error (and a scheduled script can tell it from a failed upload).
    /// </summary>
    public sealed class UploadJournalUnavailableException : IOException
    {
        public UploadJournalUnavailableException(string path, string reason, string fix, Exception? inner = null)
            : base($"The upload journal at {path} cannot be used: {reason}. {fix}", inner)
        {
            Path = path;
            Reason = reason;
            Fix = fix;
        }

        /// <summary>The journal file.</summary>
        public string Path { get; }
        /// <summary>What is wrong with it, in a few words.</summary>
        public string Reason { get; }
        /// <summary>What to do, without command names (the cmdlets add theirs).</summary>
        public string Fix { get; }
    }
}
