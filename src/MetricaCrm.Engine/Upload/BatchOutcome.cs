using System.Net;
using MetricaCrm.Engine.Journal;
using MetricaCrm.Engine.Metrica;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>What a failed upload means for its batch: refused for good, kept to be sent again, or of unknown outcome.</summary>
    public static class BatchOutcome
    {
        /// <summary>
        /// Unknown when it may have been applied and repeating is not safe. Deferred (kept, sent again later) when nothing
        /// was applied for a reason that passes (a quota, a server error, a token or access to fix) or repeating is harmless.
        /// Failed when Metrica refused the file itself (400 and the like): sending it again would fail the same way.
        /// Without a journal nothing can be kept, so everything that is not Accepted is Failed.
        /// </summary>
        public static BatchState Of(MetricaApiException ex, bool keptForLater)
        {
            if (!keptForLater) return BatchState.Failed;
            if (ex.MayHaveBeenApplied) return BatchState.Unknown;
            int status = ex.StatusCode is HttpStatusCode code ? (int)code : 0;
            return status == 0 || ex.IsAccessRefused || status == 420 || status == 429 || status >= 500 ? BatchState.Deferred : BatchState.Failed;
        }

        /// <summary>
        /// A 400 about the request's parameters rather than the file (a missing new_goal_name, say): every later upload
        /// of the send would be refused the same way.
        /// </summary>
        public static bool IsRequestRefused(MetricaApiException ex) =>
            ex.StatusCode == HttpStatusCode.BadRequest && (ex.ErrorType == "missing_parameter" || ex.ErrorType == "invalid_parameter");

        /// <summary>An upload Metrica answered with 200: accepted, or refused inside the 200 (validation FAILED), with the journal's note.</summary>
        public static (BatchState State, string? Message) Of(MetricaUpload upload) =>
            upload.Failed ? (BatchState.Failed, "validation FAILED") : (BatchState.Accepted, null);
    }
}
