using System;
using System.Globalization;
using System.Linq;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.Contacts
{
    /// <summary>A data/contacts/csv file: the documented columns, then the custom attributes of its first record.</summary>
    public sealed class ContactCsvWriter : AttributeCsvBatchWriter<CrmClient>
    {
        public static readonly string[] Columns =
        {
            "uniq_id", "name", "birth_date", "create_date_time", "update_date_time", "client_ids", "emails", "phones",
            "emails_md5", "phones_md5", "company_uniq_id", "user_comment",
        };

        private readonly TimeZoneInfo _zone;

        public ContactCsvWriter(string path, TimeZoneInfo counterZone, CrmClient first) : base(path, Columns, first.Attributes.Keys) => _zone = counterZone;

        protected override System.Collections.Generic.Dictionary<string, string> AttributesOf(CrmClient record) => record.Attributes;

        protected override void WriteRecord(CrmClient c)
        {
            Csv.WriteField(c.UniqId);
            Text(c.Name);
            Text(c.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            Text(CounterTime.Format(c.CreateDateTime, _zone));
            Text(CounterTime.Format(c.UpdateDateTime, _zone));
            Multi(c.ClientIds);
            Multi(c.Emails);
            Multi(c.Phones);
            Multi(c.EmailsMd5);
            Multi(c.PhonesMd5);
            Text(c.CompanyUniqId);
            Text(c.UserComment);
            WriteAttributes(c);
            Csv.EndRecord();
        }
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
