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
            return status == 0 || status == 401 || status == 403 || status == 420 || status == 429 || status >= 500 ? BatchState.Deferred : BatchState.Failed;
        }

        /// <summary>
        /// A 400 about the request's parameters rather than the file (a missing new_goal_name, say): every later upload
        /// of the send would be refused the same way.
        /// </summary>
        public static bool IsRequestRefused(MetricaApiException ex) =>
            ex.StatusCode == HttpStatusCode.BadRequest && (ex.ErrorType == "missing_parameter" || ex.ErrorType == "invalid_parameter");

        /// <summary>Metrica's answer that a daily quota (the user's or the counter's) is spent until 00:00 GMT.</summary>
        public static bool IsDailyQuota(MetricaApiException ex) =>
            ex.ErrorType == "quota_requests_by_uid" || ex.ErrorType == "quota_requests_by_counter_id";
    }
}
