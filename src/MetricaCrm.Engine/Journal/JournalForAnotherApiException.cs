using System;

namespace MetricaCrm.Engine.Journal
{
    /// <summary>A journal that remembers uploads to one API address was opened to send to another.</summary>
    public sealed class JournalForAnotherApiException : InvalidOperationException
    {
        public JournalForAnotherApiException(string journalPath, string boundApi, string requestedApi)
            : base($"The upload journal {journalPath} remembers uploads to {boundApi}; this command goes to {requestedApi}. " +
                   "What it remembers is true of that address only (records it marks accepted there may be missing here), so it is not used. " +
                   "Give this address its own journal with -JournalPath (or leave -JournalPath and METRICA_JOURNAL unset: each address then gets its own).")
        {
            JournalPath = journalPath;
            BoundApi = boundApi;
            RequestedApi = requestedApi;
        }

        public string JournalPath { get; }
        public string BoundApi { get; }
        public string RequestedApi { get; }
    }
}
