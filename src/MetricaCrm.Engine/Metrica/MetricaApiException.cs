using System;
using System.Net;

namespace MetricaCrm.Engine.Metrica
{
    /// <summary>Metrica refused a request: carries the HTTP status and Metrica's own error_type and message.</summary>
    public sealed class MetricaApiException : Exception
    {
        public MetricaApiException(HttpStatusCode? status, string? errorType, string apiMessage, string operation, int attempts, bool mayHaveBeenApplied = false, Exception? inner = null)
            : base(Format(status, errorType, apiMessage, operation, attempts, mayHaveBeenApplied), inner)
        {
            StatusCode = status;
            ErrorType = errorType;
            ApiMessage = apiMessage;
            Operation = operation;
            Attempts = attempts;
            MayHaveBeenApplied = mayHaveBeenApplied;
        }

        /// <summary>The same refusal with more said about it (where in the source the refused row came from).</summary>
        public MetricaApiException WithDetail(string detail) =>
            new MetricaApiException(StatusCode, ErrorType, ApiMessage + ". " + detail.TrimEnd('.'), Operation, Attempts, MayHaveBeenApplied, InnerException);

        public HttpStatusCode? StatusCode { get; }
        /// <summary>Metrica's errors[0].error_type (invalid_token, access_denied, invalid_uploading...).</summary>
        public string? ErrorType { get; }
        public string ApiMessage { get; }
        public string Operation { get; }
        public int Attempts { get; }
        /// <summary>True when the request failed in a way that does not tell whether Metrica applied it.</summary>
        public bool MayHaveBeenApplied { get; }

        /// <summary>Metrica refused the token (401) or its access to the counter (403): every later request would be refused too.</summary>
        public bool IsAccessRefused => StatusCode == HttpStatusCode.Unauthorized || StatusCode == HttpStatusCode.Forbidden;

        /// <summary>Metrica's answer that a daily quota (the user's or the counter's) is spent until 00:00 GMT.</summary>
        public bool IsDailyQuota => IsDailyQuotaType(ErrorType);

        internal const string DailyUserQuota = "quota_requests_by_uid";

        internal static bool IsDailyQuotaType(string? errorType) => errorType == DailyUserQuota || errorType == "quota_requests_by_counter_id";

        /// <summary>A stable PowerShell ErrorId: Metrica's error type in Pascal case, or the transport failure.</summary>
        public string ErrorId
        {
            get
            {
                if (ErrorType == null) return StatusCode == null ? "MetricaUnreachable" : "MetricaHttp" + (int)StatusCode;
                var parts = ErrorType.Split('_');
                var id = "Metrica";
                foreach (var p in parts) if (p.Length > 0) id += char.ToUpperInvariant(p[0]) + p.Substring(1);
                return id;
            }
        }

        private static string Format(HttpStatusCode? status, string? errorType, string message, string operation, int attempts, bool mayHaveBeenApplied)
        {
            string head = status == null ? $"{operation} failed" : $"{operation} was refused: HTTP {(int)status}";
            if (errorType != null) head += $" {errorType}";
            string hint = errorType switch
            {
                "invalid_token" => " The OAuth token is invalid or expired: get a new one (see docs/sending.md, 'Tokens').",
                "unauthorized" => " No valid Authorization header was sent: no token, or a malformed one.",
                "access_denied" => " The token's account has no edit rights on this counter, or the app lacks the metrika:write / metrika:offline_data scope.",
                _ => "",
            };
            string tries = attempts > 1 ? $" (after {attempts} attempts)" : "";
            string applied = mayHaveBeenApplied ? " The request may have reached Metrica; it was not repeated because repeating it is not safe. Check the counter's uploads before sending again." : "";
            return $"{head}: {message}{tries}.{hint}{applied}";
        }
    }
}
