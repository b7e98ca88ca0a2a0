using System;
using System.Collections.Generic;
using MetricaCrm.Engine.Contacts;
using MetricaCrm.Engine.Orders;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>The outcome of one input row: a record, or a rejection with its reasons.</summary>
    public sealed class ImportItem<T> where T : class
    {
        public ImportItem(T? record, RowRejection? rejection, IReadOnlyList<string>? explanation)
        {
            Record = record;
            Rejection = rejection;
            Explanation = explanation;
        }

        public T? Record { get; }
        public RowRejection? Rejection { get; }
        public IReadOnlyList<string>? Explanation { get; }
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
                    reader.Fault(Schema.Fields[f].Name, "InvalidEncoding", values[f], "text in the file's encoding; this byte sequence is not valid in it");
            T record = Build(reader, source, line);
            if (reader.Faults.Count > 0)
                return new ImportItem<T>(null, new RowRejection(source, line, reader.Faults, rawValues()), reader.Explanation);
            return new ImportItem<T>(record, null, reader.Explanation);
        }

        protected abstract T Build(FieldReader r, string source, long line);
    }

    public sealed class OrderNormalizer : RecordNormalizer<CrmOrder>
    {
        public OrderNormalizer(NormalizerOptions options) : base(RecordSchema.Orders, options) { }

        protected override CrmOrder Build(FieldReader r, string source, long line)
        {
            var order = new CrmOrder
            {
                Id = r.RequiredText("id"),
                CreateDateTime = r.DateTime("create_date_time", required: true) ?? default,
                ClientUniqId = r.Text("client_uniq_id"),
                ClientIds = r.ClientIds("client_ids"),
                OrderStatus = r.Text("order_status"),
                Revenue = r.Money("revenue"),
                Cost = r.Money("cost"),
                Goals = r.Goals("goals"),
                Currency = r.Currency("currency"),
                SourceFile = source,
                SourceLine = line,
            };
            var ids = r.ContactIdentifiers();
            (order.Emails, order.Phones, order.EmailsMd5, order.PhonesMd5) = (ids.Emails, ids.Phones, ids.EmailsMd5, ids.PhonesMd5);
            if (r.Faults.Count == 0 && !order.HasIdentifier)
                r.Fault("client_ids", "NoIdentifier", null, "at least one ClientID, phone or e-mail: Metrica cannot match an order without one");
            return order;
        }
    }

    public sealed class ClientNormalizer : RecordNormalizer<CrmClient>
    {
        public ClientNormalizer(NormalizerOptions options) : base(RecordSchema.Clients, options) { }

        protected override CrmClient Build(FieldReader r, string source, long line)
        {
            var client = new CrmClient
            {
                UniqId = r.RequiredText("uniq_id"),
                Name = r.Text("name"),
                CreateDateTime = r.DateTime("create_date_time", required: false),
                UpdateDateTime = r.DateTime("update_date_time", required: false),
                ClientIds = r.ClientIds("client_ids"),
                SourceFile = source,
                SourceLine = line,
            };
            var ids = r.ContactIdentifiers();
            (client.Emails, client.Phones, client.EmailsMd5, client.PhonesMd5) = (ids.Emails, ids.Phones, ids.EmailsMd5, ids.PhonesMd5);
            return client;
        }
    }
}
