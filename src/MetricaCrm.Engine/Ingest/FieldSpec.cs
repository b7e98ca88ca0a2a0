using System;
using System.Collections.Generic;
using System.Linq;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>A Metrica field and the header names CRMs give it. Compared by reference: each field is defined once.</summary>
    public sealed class FieldSpec
    {
        public FieldSpec(string name, params string[] synonyms)
        {
            Name = name;
            Synonyms = new[] { name }.Concat(synonyms).Select(HeaderKey.Of).Distinct().ToArray();
            Slot = System.Threading.Interlocked.Increment(ref _slots) - 1;
        }

        private FieldSpec(string name, IReadOnlyList<string> synonyms, bool required, FieldSpec shared)
        {
            Name = name;
            Synonyms = synonyms;
            Required = required;
            Base = shared;
            Slot = shared.Slot;
        }

        private static int _slots;

        /// <summary>A small number of the shared definition (derived fields share it): schemas find fields by it in an array.</summary>
        internal int Slot { get; }

        /// <summary>The Metrica column name (create_date_time).</summary>
        public string Name { get; }
        public bool Required { get; }
        /// <summary>Header keys (see <see cref="HeaderKey"/>) that mean this field.</summary>
        public IReadOnlyList<string> Synonyms { get; }

        /// <summary>The same field, required in a schema (an order's id, a contact's uniq_id).</summary>
        public FieldSpec AsRequired() => new FieldSpec(Name, Synonyms, true, Base ?? this);

        /// <summary>A field with the same meaning and more header names (an order's client_uniq_id is also "Client ID").</summary>
        public FieldSpec With(params string[] synonyms) =>
            new FieldSpec(Name, Synonyms.Concat(synonyms.Select(HeaderKey.Of)).Distinct().ToArray(), Required, Base ?? this);

        /// <summary>The shared definition this one was derived from (itself when not derived).</summary>
        public FieldSpec? Base { get; }

        public bool Is(FieldSpec other) => ReferenceEquals(Base ?? this, other.Base ?? other);

        public override string ToString() => Name;
    }

    /// <summary>The fields of every Metrica upload, each with its CRM header names, defined once and shared.</summary>
    public static class CrmFields
    {
        public static readonly FieldSpec ClientIds = new FieldSpec("client_ids", "client id", "clientid", "metrica client id", "ym client id",
            "yandex client id", "ym_uid", "clientid метрики", "client id метрики", "yaclientid", "ya client id", "_ym_uid");
        public static readonly FieldSpec Emails = new FieldSpec("emails", "email", "e-mail", "e mail", "mail", "почта", "электронная почта",
            "емейл", "эл. почта", "email address",
            // amoCRM's e-mail types, each its own column in an export (all of them are read: see ColumnBinding.MoreSources).
            "рабочий email", "личный email", "другой email", "email рабочий", "email личный");
        public static readonly FieldSpec Phones = new FieldSpec("phones", "phone", "phone number", "mobile", "mobile phone", "telephone",
            "телефон", "телефоны", "мобильный", "мобильный телефон", "номер телефона", "тел", "рабочий телефон",
            // amoCRM's and Bitrix24's phone types, each its own column in an export.
            "рабочий прямой телефон", "домашний телефон", "другой телефон", "телефон рабочий", "телефон мобильный", "телефон домашний");
        public static readonly FieldSpec EmailsMd5 = new FieldSpec("emails_md5", "email md5", "email_md5");
        public static readonly FieldSpec PhonesMd5 = new FieldSpec("phones_md5", "phone md5", "phone_md5");
        /// <summary>
        /// Headers that CRM exports use both for their own client id and for Metrica's ClientID ("Client ID",
        /// "ID клиента"): the column's values decide which it is (<see cref="ColumnBinding"/>).
        /// </summary>
        public static readonly IReadOnlyList<string> AmbiguousClientHeaders = new[] { HeaderKey.Of("client id"), HeaderKey.Of("id клиента"), HeaderKey.Of("клиент id") };

        /// <summary>The identifier fields Metrica matches visitors on.</summary>
        public static readonly IReadOnlyList<FieldSpec> Identifiers = new[] { ClientIds, Emails, Phones, EmailsMd5, PhonesMd5 };

        public static readonly FieldSpec CreateDateTime = new FieldSpec("create_date_time", "created", "created at", "create date", "created date",
            "date created", "creation date", "created on", "дата создания", "создан", "дата и время создания", "дата создания сделки");
        public static readonly FieldSpec UpdateDateTime = new FieldSpec("update_date_time", "updated", "updated at", "modified", "last modified",
            "update date", "дата изменения", "дата обновления", "изменен");
        /// <summary>The CRM's own client id. "Client ID" / "ID клиента" may also mean a Metrica ClientID: see <see cref="ColumnBinding"/>.</summary>
        public static readonly FieldSpec ClientUniqId = new FieldSpec("client_uniq_id", "customer id", "contact id", "crm client id",
            "client uniq id", "id клиента", "id контакта", "код клиента", "клиент id");

        // Orders
        public static readonly FieldSpec OrderId = new FieldSpec("id", "order id", "order number", "order no", "deal id", "deal number",
            "номер заказа", "номер", "№", "№ заказа", "id заказа", "код заказа", "заказ", "номер сделки", "id сделки", "сделка", "orderid");
        public static readonly FieldSpec FinishDateTime = new FieldSpec("finish_date_time", "finished", "closed", "closed at", "close date",
            "paid at", "payment date", "дата оплаты", "дата закрытия", "дата завершения");
        public static readonly FieldSpec OrderStatus = new FieldSpec("order_status", "status", "order status", "stage", "deal stage", "статус",
            "статус заказа", "этап", "стадия", "этап сделки", "стадия сделки");
        public static readonly FieldSpec Revenue = new FieldSpec("revenue", "amount", "sum", "total", "price", "order total", "deal amount",
            "сумма", "сумма заказа", "выручка", "бюджет", "сумма сделки", "итого");
        public static readonly FieldSpec Cost = new FieldSpec("cost", "cost price", "себестоимость", "затраты");
        public static readonly FieldSpec Goals = new FieldSpec("goals", "цели");
        public static readonly FieldSpec Currency = new FieldSpec("currency", "валюта", "currency code");
        public static readonly FieldSpec Products = new FieldSpec("products", "товары", "items", "позиции");

        // Contacts
        public static readonly FieldSpec UniqId = ClientUniqId.With("client_uniq_id", "id", "uniqid", "uniq_id");
        public static readonly FieldSpec Name = new FieldSpec("name", "full name", "client name", "contact name", "customer name", "фио", "имя",
            "клиент", "контакт", "наименование");
        public static readonly FieldSpec BirthDate = new FieldSpec("birth_date", "birthday", "date of birth", "birth date", "дата рождения", "день рождения");
        public static readonly FieldSpec CompanyUniqId = new FieldSpec("company_uniq_id", "company id", "account id", "id компании", "компания id");
        public static readonly FieldSpec UserComment = new FieldSpec("user_comment", "comment", "note", "notes", "комментарий", "примечание");
    }

    /// <summary>The set of fields of one entity (orders, clients) and which of them identify a visitor.</summary>
    public sealed class RecordSchema
    {
        public RecordSchema(string entity, IReadOnlyList<FieldSpec> fields, IReadOnlyList<FieldSpec> identifierFields, int attributeStart = -1)
        {
            Entity = entity;
            Fields = fields;
            IdentifierFields = identifierFields;
            AttributeStart = attributeStart < 0 ? fields.Count : attributeStart;
        }

        /// <summary>Fields from this index on are custom attributes.</summary>
        public int AttributeStart { get; }

        public string Entity { get; }
        public IReadOnlyList<FieldSpec> Fields { get; }
        /// <summary>At least one of these columns must be present: Metrica matches on them. Empty: none needed.</summary>
        public IReadOnlyList<FieldSpec> IdentifierFields { get; }

        public int IndexOf(FieldSpec field)
        {
            // Asked for every field of every row: an array by the shared definition's slot (what Is compares), the first wins.
            var index = _indexBySlot ??= IndexBySlot();
            if (field.Slot < index.Length && index[field.Slot] >= 0) return index[field.Slot];
            // Custom attributes are defined per import (new slots each time, so not in the array): few, found by a scan.
            for (int i = AttributeStart; i < Fields.Count; i++)
                if (Fields[i].Is(field)) return i;
            return -1;
        }

        private int[] IndexBySlot()
        {
            var index = new int[Fields.Take(AttributeStart).Select(f => f.Slot + 1).DefaultIfEmpty(0).Max()];
            for (int i = 0; i < index.Length; i++) index[i] = -1;
            for (int i = AttributeStart - 1; i >= 0; i--) index[Fields[i].Slot] = i;
            return index;
        }

        private int[]? _indexBySlot;

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

        /// <summary>A schema with extra fields: the custom attributes a user names, matched by their own names.</summary>
        public RecordSchema WithAttributes(IEnumerable<string> attributes) =>
            // Required: an attribute the user named must be a column of the input, or the input is refused before any row.
            new RecordSchema(Entity, Fields.Take(AttributeStart).Concat(attributes.Select(a => new FieldSpec(a).AsRequired())).ToArray(), IdentifierFields, AttributeStart);

        public static readonly RecordSchema Orders = new RecordSchema("order", new[]
        {
            CrmFields.OrderId.AsRequired(), CrmFields.CreateDateTime.AsRequired().With("order date", "date", "дата", "дата заказа"),
            CrmFields.ClientUniqId, CrmFields.ClientIds, CrmFields.Emails, CrmFields.Phones, CrmFields.EmailsMd5, CrmFields.PhonesMd5,
            CrmFields.OrderStatus, CrmFields.Revenue, CrmFields.Cost, CrmFields.Goals, CrmFields.Currency,
            CrmFields.UpdateDateTime, CrmFields.FinishDateTime, CrmFields.Products,
        }, CrmFields.Identifiers.Concat(new[] { CrmFields.ClientUniqId }).ToArray());

        public static readonly RecordSchema Clients = new RecordSchema("client", new[]
        {
            CrmFields.UniqId.AsRequired(), CrmFields.Name, CrmFields.BirthDate, CrmFields.CreateDateTime, CrmFields.UpdateDateTime,
            CrmFields.ClientIds, CrmFields.Emails, CrmFields.Phones, CrmFields.EmailsMd5, CrmFields.PhonesMd5,
            CrmFields.CompanyUniqId, CrmFields.UserComment,
        }, Array.Empty<FieldSpec>());
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
