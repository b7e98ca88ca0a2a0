using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using MetricaCrm.Engine.Contacts;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Orders;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>The engine side of <see cref="RecordMembers"/>: which array of which record a name means.</summary>
    internal static class RecordFields
    {
        public static IList Get(object record, string field) => new ValueList<string>(Field(record, field).Get(record));

        /// <summary>What a script assigns (an array, one string, another record's list) becomes the engine's array.</summary>
        public static void Set(object record, string field, object? value) =>
            Field(record, field).Set(record, value == null ? System.Array.Empty<string>() : LanguagePrimitives.ConvertTo<string[]>(value));

        private static readonly Dictionary<(Type, string), (Func<object, string[]> Get, Action<object, string[]> Set)> Fields =
            new Dictionary<(Type, string), (Func<object, string[]>, Action<object, string[]>)>
            {
                [(typeof(CrmOrder), "ClientIds")] = (r => ((CrmOrder)r).ClientIds, (r, v) => ((CrmOrder)r).ClientIds = v),
                [(typeof(CrmOrder), "Emails")] = (r => ((CrmOrder)r).Emails, (r, v) => ((CrmOrder)r).Emails = v),
                [(typeof(CrmOrder), "Phones")] = (r => ((CrmOrder)r).Phones, (r, v) => ((CrmOrder)r).Phones = v),
                [(typeof(CrmOrder), "EmailsMd5")] = (r => ((CrmOrder)r).EmailsMd5, (r, v) => ((CrmOrder)r).EmailsMd5 = v),
                [(typeof(CrmOrder), "PhonesMd5")] = (r => ((CrmOrder)r).PhonesMd5, (r, v) => ((CrmOrder)r).PhonesMd5 = v),
                [(typeof(CrmOrder), "Goals")] = (r => ((CrmOrder)r).Goals, (r, v) => ((CrmOrder)r).Goals = v),
                [(typeof(CrmClient), "ClientIds")] = (r => ((CrmClient)r).ClientIds, (r, v) => ((CrmClient)r).ClientIds = v),
                [(typeof(CrmClient), "Emails")] = (r => ((CrmClient)r).Emails, (r, v) => ((CrmClient)r).Emails = v),
                [(typeof(CrmClient), "Phones")] = (r => ((CrmClient)r).Phones, (r, v) => ((CrmClient)r).Phones = v),
                [(typeof(CrmClient), "EmailsMd5")] = (r => ((CrmClient)r).EmailsMd5, (r, v) => ((CrmClient)r).EmailsMd5 = v),
                [(typeof(CrmClient), "PhonesMd5")] = (r => ((CrmClient)r).PhonesMd5, (r, v) => ((CrmClient)r).PhonesMd5 = v),
                [(typeof(OrderStatusDefinition), "GoalActionIds")] = (r => ((OrderStatusDefinition)r).GoalActionIds, (r, v) => ((OrderStatusDefinition)r).GoalActionIds = v),
            };

        private static (Func<object, string[]> Get, Action<object, string[]> Set) Field(object record, string field) =>
            record != null && Fields.TryGetValue((record.GetType(), field), out var f) ? f : throw Unexpected(record, field);

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
