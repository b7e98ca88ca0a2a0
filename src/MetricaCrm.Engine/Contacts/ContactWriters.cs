using System;
using System.Globalization;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.Contacts
{
    /// <summary>
    /// The columns of a data/contacts/csv file, as contacts-data documents them (fact sheet §3.5), then the custom
    /// attributes. company_uniq_id and user_comment are documented only for the JSON contact, so a CSV file never has
    /// them: <see cref="ContactsKind.Check"/> refuses a CSV contact that fills them rather than drop their values.
    /// </summary>
    public static class ContactCsvColumns
    {
        public static readonly CsvLayout<CrmClient> Layout = new CsvLayout<CrmClient>(new[]
        {
            new CsvColumn<CrmClient>("uniq_id", c => c.UniqId),
            new CsvColumn<CrmClient>("name", c => c.Name),
            new CsvColumn<CrmClient>("birth_date", c => c.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            new CsvColumn<CrmClient>("create_date_time", (c, zone) => CounterTime.Format(c.CreateDateTime, zone)),
            new CsvColumn<CrmClient>("update_date_time", (c, zone) => CounterTime.Format(c.UpdateDateTime, zone)),
            new CsvColumn<CrmClient>("client_ids", (c, _) => CsvColumn<CrmClient>.Joined(c.ClientIds), list: true),
            new CsvColumn<CrmClient>("emails", (c, _) => CsvColumn<CrmClient>.Joined(c.Emails), list: true),
            new CsvColumn<CrmClient>("phones", (c, _) => CsvColumn<CrmClient>.Joined(c.Phones), list: true),
            new CsvColumn<CrmClient>("emails_md5", (c, _) => CsvColumn<CrmClient>.Joined(c.EmailsMd5), list: true),
            new CsvColumn<CrmClient>("phones_md5", (c, _) => CsvColumn<CrmClient>.Joined(c.PhonesMd5), list: true),
        }, c => c.Attributes);
    }

    /// <summary>A data/contacts/json body: <c>{"contacts":[...]}</c> with ClientIDs as numbers, as the schema types them.</summary>
    public sealed class ContactJsonWriter : JsonBatchWriter<CrmClient>
    {
        private readonly TimeZoneInfo _zone;

        public ContactJsonWriter(string path, TimeZoneInfo counterZone) : base(path, "contacts") => _zone = counterZone;

        protected override void WriteProperties(CrmClient c)
        {
            Json.WriteString("uniq_id", c.UniqId);
            JsonFields.String(Json, "name", c.Name);
            JsonFields.String(Json, "birth_date", c.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            JsonFields.String(Json, "create_date_time", CounterTime.Format(c.CreateDateTime, _zone));
            JsonFields.String(Json, "update_date_time", CounterTime.Format(c.UpdateDateTime, _zone));
            JsonFields.ClientIds(Json, c.ClientIds);
            JsonFields.Strings(Json, "emails", c.Emails);
            JsonFields.Strings(Json, "phones", c.Phones);
            JsonFields.Strings(Json, "emails_md5", c.EmailsMd5);
            JsonFields.Strings(Json, "phones_md5", c.PhonesMd5);
            JsonFields.String(Json, "company_uniq_id", c.CompanyUniqId);
            JsonFields.String(Json, "user_comment", c.UserComment);
            JsonFields.Attributes(Json, c.Attributes);
        }
    }
}
