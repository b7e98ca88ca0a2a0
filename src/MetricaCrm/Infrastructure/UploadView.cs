using System.Management.Automation;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.OfflineConversions;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// An upload as the cmdlets write it: offline conversions and calls carry the type name
    /// MetricaUpload#Offline, so their default view shows processing and linkage instead of the CRM uploads' validation.
    /// </summary>
    internal static class UploadView
    {
        public const string OfflineTypeName = "MetricaCrm.Engine.Metrica.MetricaUpload#Offline";

        public static object Of(MetricaUpload upload)
        {
            if (upload.Kind != OfflinePaths.Conversions && upload.Kind != OfflinePaths.Calls) return upload;
            var pso = PSObject.AsPSObject(upload);
            if (!pso.TypeNames.Contains(OfflineTypeName)) pso.TypeNames.Insert(0, OfflineTypeName);
            return pso;
        }
    }
}
