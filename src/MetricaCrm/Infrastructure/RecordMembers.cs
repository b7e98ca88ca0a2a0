using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using MetricaCrm.Engine.Contacts;
using MetricaCrm.Engine.Orders;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// The CodeProperties of MetricaCrm.Types.ps1xml: orders' and contacts' multi-valued fields as <see cref="ValueList{T}"/>
    /// and attributes as <see cref="AttributeMap"/>, so Export-Csv writes their values (the cells Import-CrmOrder and
    /// Import-CrmClient read back) while scripts still index, count, enumerate and assign them as before.
    /// PowerShell reads these signatures when it loads the types file, before the loader can resolve the engine:
    /// so they name only PowerShell's and the framework's types, and the engine's stay in <see cref="RecordFields"/>.
    /// A setter takes the getter's type, so both are object: one string or number assigned still becomes a list.
    /// </summary>
    public static class RecordMembers
    {
        public static object ClientIds(PSObject record) => RecordFields.Get(record.BaseObject, nameof(ClientIds));
        public static void SetClientIds(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(ClientIds), value);
        public static object Emails(PSObject record) => RecordFields.Get(record.BaseObject, nameof(Emails));
        public static void SetEmails(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(Emails), value);
        public static object Phones(PSObject record) => RecordFields.Get(record.BaseObject, nameof(Phones));
        public static void SetPhones(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(Phones), value);
        public static object EmailsMd5(PSObject record) => RecordFields.Get(record.BaseObject, nameof(EmailsMd5));
        public static void SetEmailsMd5(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(EmailsMd5), value);
        public static object PhonesMd5(PSObject record) => RecordFields.Get(record.BaseObject, nameof(PhonesMd5));
        public static void SetPhonesMd5(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(PhonesMd5), value);
        public static object Goals(PSObject record) => RecordFields.Get(record.BaseObject, nameof(Goals));
        public static void SetGoals(PSObject record, object? value) => RecordFields.Set(record.BaseObject, nameof(Goals), value);
        public static object Products(PSObject record) => RecordFields.Products(record.BaseObject);
        public static void SetProducts(PSObject record, object? value) => RecordFields.SetProducts(record.BaseObject, value);
        public static object Attributes(PSObject record) => RecordFields.Attributes(record.BaseObject);
        public static void SetAttributes(PSObject record, object? value) => RecordFields.SetAttributes(record.BaseObject, value);
    }

    /// <summary>The engine side of <see cref="RecordMembers"/>: which array of which record a name means.</summary>
    internal static class RecordFields
    {
        public static IList Get(object record, string field) => new ValueList<string>(Array(record, field));

        /// <summary>What a script assigns (an array, one string, another record's list) becomes the engine's array.</summary>
        public static void Set(object record, string field, object? value)
        {
            var items = value == null ? System.Array.Empty<string>() : LanguagePrimitives.ConvertTo<string[]>(value);
            switch (record, field)
            {
                case (CrmOrder o, "ClientIds"): o.ClientIds = items; break;
                case (CrmOrder o, "Emails"): o.Emails = items; break;
                case (CrmOrder o, "Phones"): o.Phones = items; break;
                case (CrmOrder o, "EmailsMd5"): o.EmailsMd5 = items; break;
                case (CrmOrder o, "PhonesMd5"): o.PhonesMd5 = items; break;
                case (CrmOrder o, "Goals"): o.Goals = items; break;
                case (CrmClient c, "ClientIds"): c.ClientIds = items; break;
                case (CrmClient c, "Emails"): c.Emails = items; break;
                case (CrmClient c, "Phones"): c.Phones = items; break;
                case (CrmClient c, "EmailsMd5"): c.EmailsMd5 = items; break;
                case (CrmClient c, "PhonesMd5"): c.PhonesMd5 = items; break;
                default: throw Unexpected(record, field);
            }
        }

        private static string[] Array(object record, string field) => (record, field) switch
        {
            (CrmOrder o, "ClientIds") => o.ClientIds,
            (CrmOrder o, "Emails") => o.Emails,
            (CrmOrder o, "Phones") => o.Phones,
            (CrmOrder o, "EmailsMd5") => o.EmailsMd5,
            (CrmOrder o, "PhonesMd5") => o.PhonesMd5,
            (CrmOrder o, "Goals") => o.Goals,
            (CrmClient c, "ClientIds") => c.ClientIds,
            (CrmClient c, "Emails") => c.Emails,
            (CrmClient c, "Phones") => c.Phones,
            (CrmClient c, "EmailsMd5") => c.EmailsMd5,
            (CrmClient c, "PhonesMd5") => c.PhonesMd5,
            _ => throw Unexpected(record, field),
        };

        public static IList Products(object record) => new ValueList<OrderProduct>(Order(record).Products);

        public static void SetProducts(object record, object? value) =>
            Order(record).Products = value == null ? new List<OrderProduct>() : new List<OrderProduct>(LanguagePrimitives.ConvertTo<OrderProduct[]>(value));

        public static IDictionary Attributes(object record) => new AttributeMap(record switch
        {
            CrmOrder o => o.Attributes,
            CrmClient c => c.Attributes,
            _ => throw Unexpected(record, "Attributes"),
        });

        public static void SetAttributes(object record, object? value)
        {
            var target = Attributes(record);
            var copy = new List<DictionaryEntry>();
            if (value != null) foreach (DictionaryEntry e in LanguagePrimitives.ConvertTo<IDictionary>(value)) copy.Add(e); // the value may be this record's own map
            target.Clear();
            foreach (var e in copy) target[e.Key] = e.Value;
        }

        private static CrmOrder Order(object record) => record as CrmOrder ?? throw Unexpected(record, "Products");

        private static InvalidOperationException Unexpected(object? record, string field) =>
            new InvalidOperationException($"{record?.GetType().FullName ?? "null"} has no {field} of a MetricaCrm order or contact.");
    }
}
