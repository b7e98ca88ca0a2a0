using System;

namespace MetricaCrm.Engine.Clients
{
    /// <summary>A CRM contact as Metrica's contacts upload understands it, already normalised.</summary>
    public sealed class CrmClient
    {
        public string UniqId { get; set; } = "";
        public string? Name { get; set; }
        public DateTimeOffset? CreateDateTime { get; set; }
        public DateTimeOffset? UpdateDateTime { get; set; }
        public string[] ClientIds { get; set; } = Array.Empty<string>();
        public string[] Emails { get; set; } = Array.Empty<string>();
        public string[] Phones { get; set; } = Array.Empty<string>();
        public string[] EmailsMd5 { get; set; } = Array.Empty<string>();
        public string[] PhonesMd5 { get; set; } = Array.Empty<string>();
        public string? SourceFile { get; set; }
        public long SourceLine { get; set; }

        public override string ToString() => $"Client {UniqId}";
    }
}
