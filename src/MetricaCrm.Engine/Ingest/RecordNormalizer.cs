using System;
using System.Collections.Generic;
using MetricaCrm.Engine.Contacts;
using MetricaCrm.Engine.Orders;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>The outcome of one input row: a record, or a rejection with its reasons.</summary>
    public sealed class ImportItem<T> where T : class
    {
        public ImportItem(T? record, RowRejection? rejection, IReadOnlyList<string>? explanation, DroppedValues? dropped = null)
        {
            Record = record;
            Rejection = rejection;
            Explanation = explanation;
            Dropped = dropped;
        }

        public T? Record { get; }
        public RowRejection? Rejection { get; }
        public IReadOnlyList<string>? Explanation { get; }
        /// <summary>Bad values (an identifier beside usable ones) and optional values Metrica cannot take (a birth date
        /// before 1970), left out of the kept <see cref="Record"/>, for one warning; null when none were.</summary>
        public DroppedValues? Dropped { get; }
    }

    /// <summary>Turns one projected row into a typed record or a rejection; the rules per field live in <see cref="FieldReader"/>.</summary>
    public abstract class RecordNormalizer<T> where T : class
    {
        protected RecordNormalizer(RecordSchema schema, NormalizerOptions options)
        {
            Schema = schema;
            Options = options;
        }

        public RecordSchema Schema { get; }
        public NormalizerOptions Options { get; }

        public ImportItem<T> Normalize(ColumnBinding binding, string?[] values, string source, long line,
            Func<IReadOnlyDictionary<string, string?>> rawValues)
        {
            var reader = new FieldReader(binding, values, Options);
            for (int f = 0; f < values.Length; f++)
                if (values[f] != null && values[f]!.IndexOf('\uFFFD') >= 0)
                    reader.Fault(Schema.Fields[f], "InvalidEncoding", values[f], "text in the file's encoding; this byte sequence is not valid in it");
            T record = Build(reader, source, line);
            reader.SettleIdentifiers(HasIdentifier(record), Missing(reader, record));
            if (reader.Faults.Count > 0)
                return new ImportItem<T>(null, new RowRejection(source, line, reader.Faults, rawValues()), reader.Explanation);
            return new ImportItem<T>(record, null, reader.Explanation,
                reader.Dropped.Count > 0 ? new DroppedValues(source, line, reader.Dropped) : null);
        }

        protected abstract T Build(FieldReader r, string source, long line);

        /// <summary>Whether the record as read (bad values left out) has a visitor identifier Metrica links it by.</summary>
        protected abstract bool HasIdentifier(T record);

        /// <summary>The NoIdentifier fault of a record without visitor identifiers; null when such a record may be sent.</summary>
        protected abstract RowFault? Missing(FieldReader r, T record);
    }

    public sealed class OrderNormalizer : RecordNormalizer<CrmOrder>
    {
        /// <param name="attributes">Custom ORDER attribute columns to carry, by their names.</param>
        public OrderNormalizer(NormalizerOptions options, IEnumerable<string>? attributes = null)
            : base(RecordSchema.Orders.WithAttributes(attributes ?? Array.Empty<string>()), options) { }

        protected override CrmOrder Build(FieldReader r, string source, long line)
        {
            var order = new CrmOrder
            {
                Id = r.RequiredIdentifier(CrmFields.OrderId),
                CreateDateTime = r.DateTime(CrmFields.CreateDateTime, required: true) ?? default,
                UpdateDateTime = r.DateTime(CrmFields.UpdateDateTime, required: false),
                FinishDateTime = r.DateTime(CrmFields.FinishDateTime, required: false),
                ClientUniqId = r.Identifier(CrmFields.ClientUniqId),
                ClientIds = r.ClientIds(CrmFields.ClientIds),
                OrderStatus = r.Text(CrmFields.OrderStatus),
                Revenue = r.Money(CrmFields.Revenue, CrmFields.Currency),
                Cost = r.Money(CrmFields.Cost, CrmFields.Currency),
                Goals = r.Goals(CrmFields.Goals),
                Currency = r.Currency(CrmFields.Currency),
                SourceFile = source,
                SourceLine = line,
            };
            // Into the record's own (empty) list and dictionary, in this order: faults are reported in field order.
            r.Products(CrmFields.Products, order.Products);
            r.Attributes(order.Attributes);
            var ids = r.ContactIdentifiers();
            (order.Emails, order.Phones, order.EmailsMd5, order.PhonesMd5) = (ids.Emails, ids.Phones, ids.EmailsMd5, ids.PhonesMd5);
            return order;
        }

        // Simplified orders match on these. A bad one is dropped only beside another of them: a client_uniq_id does not
        // count, since simplified orders do not link by it (a row left with only that is rejected, as it was before).
        protected override bool HasIdentifier(CrmOrder order) => order.HasIdentifier;

        // Detailed orders match through their contact, so a row with a client_uniq_id and no visitor ids is an order.
        protected override RowFault? Missing(FieldReader r, CrmOrder order) =>
            order.ClientUniqId != null ? null : r.NoIdentifier(CrmFields.ClientIds, IdentifierRule.Order);
    }

    public sealed class ClientNormalizer : RecordNormalizer<CrmClient>
    {
        /// <param name="attributes">Custom CONTACT attribute columns to carry, by their names.</param>
        public ClientNormalizer(NormalizerOptions options, IEnumerable<string>? attributes = null)
            : base(RecordSchema.Clients.WithAttributes(attributes ?? Array.Empty<string>()), options) { }

        protected override CrmClient Build(FieldReader r, string source, long line)
        {
            var client = new CrmClient
            {
                UniqId = r.RequiredIdentifier(CrmFields.UniqId),
                Name = r.Text(CrmFields.Name),
                BirthDate = r.Date(CrmFields.BirthDate),
                CreateDateTime = r.DateTime(CrmFields.CreateDateTime, required: false),
                UpdateDateTime = r.DateTime(CrmFields.UpdateDateTime, required: false),
                ClientIds = r.ClientIds(CrmFields.ClientIds),
                CompanyUniqId = r.Identifier(CrmFields.CompanyUniqId),
                UserComment = r.Text(CrmFields.UserComment),
                SourceFile = source,
                SourceLine = line,
            };
            r.Attributes(client.Attributes);
            var ids = r.ContactIdentifiers();
            (client.Emails, client.Phones, client.EmailsMd5, client.PhonesMd5) = (ids.Emails, ids.Phones, ids.EmailsMd5, ids.PhonesMd5);
            return client;
        }

        protected override bool HasIdentifier(CrmClient client) => client.HasIdentifier;

        // A contact links through its uniq_id and may come without visitor identifiers; one whose identifiers were all
        // bad is still rejected (SettleIdentifiers): the user meant it to be matched.
        protected override RowFault? Missing(FieldReader r, CrmClient client) => null;
    }
}
