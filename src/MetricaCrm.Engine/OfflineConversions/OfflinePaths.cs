using System;

namespace MetricaCrm.Engine.OfflineConversions
{
    /// <summary>Where the Management API lists and shows offline conversion and calls uploads: one place for both kinds.</summary>
    public static class OfflinePaths
    {
        public const string Conversions = "offline_conversions";
        public const string Calls = "calls";

        /// <summary>The list of a kind's uploads: offline_conversions/uploadings or offline_conversions/calls_uploadings.</summary>
        public static string ListPath(string kind) => kind == Calls ? "offline_conversions/calls_uploadings" : "offline_conversions/uploadings";

        /// <summary>One upload: offline_conversions/uploading/{id} or offline_conversions/calls_uploading/{id}.</summary>
        public static string UploadPath(string kind, string uploadId) =>
            (kind == Calls ? "offline_conversions/calls_uploading/" : "offline_conversions/uploading/") + Uri.EscapeDataString(uploadId);
    }
}
