using System.Management.Automation;
using MetricaCrm.Engine.Journal;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// The one error of a journal that cannot be used, from whichever command opened it: a stable ErrorId (scheduled
    /// scripts treat it as a configuration error, not a failed upload), the file, and the parameters that get past it.
    /// </summary>
    internal static class JournalErrors
    {
        public const string ErrorId = "UploadJournalUnavailable";

        /// <summary>What the cmdlets add to the engine's fix: the parameters that choose another journal or none.</summary>
        public static string Remedy(UploadJournalUnavailableException ex) =>
            $"{ex.Fix}: -JournalPath <another file> (or $env:METRICA_JOURNAL); Send-* also run without a journal with -NoJournal.";

        public static ErrorRecord Unavailable(UploadJournalUnavailableException ex) =>
            new ErrorRecord(ex, ErrorId, ErrorCategory.OpenError, ex.Path)
            {
                ErrorDetails = new ErrorDetails($"The upload journal at {ex.Path} cannot be used: {ex.Reason}. {Remedy(ex)}")
                {
                    RecommendedAction = Remedy(ex),
                },
            };

        /// <summary>A journal that remembers another API address's uploads, refused whether it is to be written or only read (-WhatIf).</summary>
        public static ErrorRecord ForAnotherApi(JournalForAnotherApiException ex) =>
            new ErrorRecord(ex, "UploadJournalForAnotherApi", ErrorCategory.InvalidArgument, ex.JournalPath)
            {
                ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = "Use another -JournalPath for this API address." },
            };
    }
}
