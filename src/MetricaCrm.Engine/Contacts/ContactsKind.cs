using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.Contacts
{
    /// <summary>
    /// Contacts (data/contacts/csv or /json): the CRM's clients with their ids, names, identifiers and custom attributes.
    /// Upload them before orders: Metrica links orders only to sessions after the first successful contacts upload.
    /// </summary>
    public sealed class ContactsKind : UploadKind<CrmClient>
    {
        private readonly UploadFormat _format;
        private readonly AttributeCheck _attributes;

        /// <param name="counterAttributes">The counter's CONTACT attributes; null when not read (nothing is sent then).</param>
        public ContactsKind(UploadFormat format, ISet<string>? counterAttributes)
        {
            _format = format;
            _attributes = new AttributeCheck("CONTACT", counterAttributes);
        }

        public override string Name => "contacts";
        public override Journal.JournalKind JournalKind => Journal.JournalKind.Clients;

        public override Journal.JournalRecord? JournalRecordOf(CrmClient c) => new Journal.JournalRecord(c.UniqId,
            Journal.RecordFingerprint.Start()
                .Field(c.Name).Field(c.BirthDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
                .Field(c.CreateDateTime?.UtcTicks).Field(c.UpdateDateTime?.UtcTicks)
                .Field(c.ClientIds).Field(c.Emails).Field(c.Phones).Field(c.EmailsMd5).Field(c.PhonesMd5)
                .Field(c.CompanyUniqId).Field(c.UserComment).Field(c.Attributes)
                .Finish(),
            c.CreateDateTime?.UtcDateTime, null);
        public override string RecordNoun => "contact";
        public override string RecordId(CrmClient record) => record.UniqId;
        public override RecordOrigin Origin(CrmClient record) => new RecordOrigin(record.SourceFile, record.SourceLine);

        public override RowFault? Check(CrmClient c)
        {
            if (c.UniqId.Trim().Length == 0) return new RowFault("MissingValue", "uniq_id", null, "the client's id in the CRM (uniq_id)");
            _attributes.Check(c.Attributes);
            var fault = TextRules.CheckIdentifier("uniq_id", c.UniqId) ?? TextRules.CheckIdentifier("company_uniq_id", c.CompanyUniqId)
                ?? TextRules.CheckText("name", c.Name) ?? TextRules.CheckText("user_comment", c.UserComment);
            foreach (var a in c.Attributes)
                fault ??= TextRules.CheckText(a.Key, a.Value);
            return fault ?? (_format == UploadFormat.Csv ? JsonOnly("company_uniq_id", c.CompanyUniqId) ?? JsonOnly("user_comment", c.UserComment) : null);
        }

        /// <summary>
        /// A field Metrica documents only for JSON contacts (ContactRow of uploadContactJson) in a CSV contact: contacts-data
        /// lists no such CSV column, and an unknown column may fail the whole upload or be dropped unseen, so the contact
        /// is refused (not sent without the value) with the way to send it.
        /// </summary>
        private static RowFault? JsonOnly(string field, string? value) =>
            string.IsNullOrEmpty(value) ? null
            : new RowFault("JsonOnlyField", field, value,
                $"no {field} in a CSV contacts upload: Metrica documents {field} only for JSON contacts. Send these contacts with -Format Json, or leave the column out");

        public override BatchWriter<CrmClient> OpenWriter(string path, TimeZoneInfo counterZone, CrmClient first) =>
            _format == UploadFormat.Csv
                ? new FilledColumnsCsvWriter<CrmClient>(path + ".csv", ContactCsvColumns.Layout, counterZone, first)
                : new ContactJsonWriter(path + ".json", counterZone);

        public override string ColumnKey(CrmClient record) => _format == UploadFormat.Csv ? ContactCsvColumns.Layout.KeyOf(record) : "";

        public override UploadRequest Request(MergeMode mode) => new UploadRequest(UploadApi.Cdp, Name, DetailedPath(Name, _format, mode), IsReplaySafe(mode));
    }
}
