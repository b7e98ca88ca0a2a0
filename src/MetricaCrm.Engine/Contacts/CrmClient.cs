using System;
using System.Collections.Generic;

namespace MetricaCrm.Engine.Contacts
{
    /// <summary>A CRM contact (Metrica's word; CRM exports say client) as the contacts upload understands it, already normalised.</summary>
    public sealed class CrmClient
    {
        /// <summary>The client's id in the CRM (uniq_id); orders name it as their client_uniq_id.</summary>
        public string UniqId { get; set; } = "";
        public string? Name { get; set; }
        /// <summary>A calendar date, no time.</summary>
        public DateTime? BirthDate { get; set; }
        public DateTimeOffset? CreateDateTime { get; set; }
        public DateTimeOffset? UpdateDateTime { get; set; }
        public string[] ClientIds { get; set; } = Array.Empty<string>();
        public string[] Emails { get; set; } = Array.Empty<string>();
        public string[] Phones { get; set; } = Array.Empty<string>();
        public string[] EmailsMd5 { get; set; } = Array.Empty<string>();
        public string[] PhonesMd5 { get; set; } = Array.Empty<string>();
        public string? CompanyUniqId { get; set; }
        public string? UserComment { get; set; }
        /// <summary>Custom attributes of the counter's CONTACT entity, by attribute name.</summary>
        public Dictionary<string, string> Attributes { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
        public string? SourceFile { get; set; }
        public long SourceLine { get; set; }

        /// <summary>Whether Metrica can match the contact to visitors (its uniq_id links only its orders).</summary>
        public bool HasIdentifier =>
            ClientIds.Length + Emails.Length + Phones.Length + EmailsMd5.Length + PhonesMd5.Length > 0;

        public override string ToString() => $"Client {UniqId}";
    }
}
