using System;
using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Ingest
{
    public enum FieldKind { Text, DateTime, Money, Phones, Emails, ClientIds, Md5List, Goals, Currency }

    /// <summary>A Metrica field and the header names CRMs give it.</summary>
    public sealed class FieldSpec
    {
        public FieldSpec(string name, FieldKind kind, bool required, params string[] synonyms)
        {
            Name = name;
            Kind = kind;
            Required = required;
            Synonyms = new[] { name }.Concat(synonyms).Select(HeaderKey.Of).Distinct().ToArray();
        }

        /// <summary>The Metrica column name (create_date_time).</summary>
        public string Name { get; }
        public FieldKind Kind { get; }
        public bool Required { get; }
        /// <summary>Header keys (see <see cref="HeaderKey"/>) that mean this field.</summary>
        public IReadOnlyList<string> Synonyms { get; }
    }

    /// <summary>The set of fields of one entity (orders, clients) and which of them identify a visitor.</summary>
    public sealed class RecordSchema
    {
        public RecordSchema(string entity, IReadOnlyList<FieldSpec> fields, params string[] identifierFields)
        {
            Entity = entity;
            Fields = fields;
            IdentifierFields = identifierFields;
        }

        public string Entity { get; }
        public IReadOnlyList<FieldSpec> Fields { get; }
        /// <summary>At least one of these columns must be present: Metrica matches on them.</summary>
        public IReadOnlyList<string> IdentifierFields { get; }

        public int IndexOf(string fieldName)
        {
            for (int i = 0; i < Fields.Count; i++)
                if (string.Equals(Fields[i].Name, fieldName, StringComparison.OrdinalIgnoreCase)) return i;
            return -1;
        }

        /// <summary>Finds a field by its Metrica name, a synonym, or a .NET-style property name (ClientUniqId).</summary>
        public int Resolve(string nameOrSynonym)
        {
            string key = HeaderKey.Of(nameOrSynonym);
            for (int i = 0; i < Fields.Count; i++)
                if (HeaderKey.Of(Fields[i].Name) == key) return i;
            for (int i = 0; i < Fields.Count; i++)
                if (Fields[i].Synonyms.Contains(key)) return i;
            return -1;
        }

        public static readonly RecordSchema Orders = new RecordSchema("order", new[]
        {
            new FieldSpec("id", FieldKind.Text, true, "order id", "order number", "order no", "deal id", "deal number", "номер заказа",
                "номер", "№", "№ заказа", "id заказа", "код заказа", "заказ", "номер сделки", "id сделки", "сделка", "orderid"),
            new FieldSpec("create_date_time", FieldKind.DateTime, true, "created", "created at", "create date", "created date", "date created",
                "creation date", "created on", "order date", "date", "дата создания", "дата", "дата заказа", "создан", "дата и время создания"),
            new FieldSpec("client_uniq_id", FieldKind.Text, false, "customer id", "contact id", "crm client id", "client uniq id",
                "id клиента", "id контакта", "код клиента", "клиент id"),
            new FieldSpec("client_ids", FieldKind.ClientIds, false, "client id", "clientid", "metrica client id", "ym client id",
                "yandex client id", "ym_uid", "clientid метрики", "client id метрики"),
            new FieldSpec("emails", FieldKind.Emails, false, "email", "e-mail", "e mail", "mail", "почта", "электронная почта", "емейл", "эл. почта", "email address"),
            new FieldSpec("phones", FieldKind.Phones, false, "phone", "phone number", "mobile", "mobile phone", "telephone", "телефон",
                "телефоны", "мобильный", "мобильный телефон", "номер телефона", "тел", "рабочий телефон"),
            new FieldSpec("emails_md5", FieldKind.Md5List, false, "email md5", "email_md5"),
            new FieldSpec("phones_md5", FieldKind.Md5List, false, "phone md5", "phone_md5"),
            new FieldSpec("order_status", FieldKind.Text, false, "status", "order status", "stage", "deal stage", "статус", "статус заказа",
                "этап", "стадия", "этап сделки", "стадия сделки"),
            new FieldSpec("revenue", FieldKind.Money, false, "amount", "sum", "total", "price", "order total", "deal amount", "сумма",
                "сумма заказа", "выручка", "бюджет", "сумма сделки", "итого"),
            new FieldSpec("cost", FieldKind.Money, false, "cost price", "себестоимость", "затраты"),
            new FieldSpec("goals", FieldKind.Goals, false, "цели"),
            new FieldSpec("currency", FieldKind.Currency, false, "валюта", "currency code"),
        }, "client_ids", "emails", "phones", "emails_md5", "phones_md5");

        public static readonly RecordSchema Clients = new RecordSchema("client", new[]
        {
            new FieldSpec("uniq_id", FieldKind.Text, true, "client uniq id", "client_uniq_id", "id", "customer id", "contact id", "crm client id",
                "id клиента", "id контакта", "код клиента", "uniqid"),
            new FieldSpec("name", FieldKind.Text, false, "full name", "client name", "contact name", "customer name", "фио", "имя", "клиент", "контакт", "наименование"),
            new FieldSpec("create_date_time", FieldKind.DateTime, false, "created", "created at", "create date", "date created", "creation date",
                "created on", "дата создания", "создан"),
            new FieldSpec("update_date_time", FieldKind.DateTime, false, "updated", "updated at", "modified", "last modified", "update date",
                "дата изменения", "дата обновления", "изменен"),
            new FieldSpec("client_ids", FieldKind.ClientIds, false, "client id", "clientid", "metrica client id", "ym client id", "yandex client id", "ym_uid"),
            new FieldSpec("emails", FieldKind.Emails, false, "email", "e-mail", "e mail", "mail", "почта", "электронная почта", "емейл", "эл. почта", "email address"),
            new FieldSpec("phones", FieldKind.Phones, false, "phone", "phone number", "mobile", "mobile phone", "telephone", "телефон",
                "телефоны", "мобильный", "мобильный телефон", "номер телефона", "тел", "рабочий телефон"),
            new FieldSpec("emails_md5", FieldKind.Md5List, false, "email md5", "email_md5"),
            new FieldSpec("phones_md5", FieldKind.Md5List, false, "phone md5", "phone_md5"),
        }, "client_ids", "emails", "phones", "emails_md5", "phones_md5");
    }

    /// <summary>How header names are compared: case-, space- and punctuation-insensitive, ё = е.</summary>
    public static class HeaderKey
    {
        public static string Of(string header)
        {
            var chars = new char[header.Length];
            int n = 0;
            foreach (char raw in header)
            {
                char c = char.ToLowerInvariant(raw);
                if (c == 'ё') c = 'е';
                if (char.IsWhiteSpace(c) || c == '_' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\uFEFF' || c == ':') continue;
                chars[n++] = c;
            }
            return new string(chars, 0, n);
        }
    }
}
