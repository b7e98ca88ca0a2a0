using System;
using System.Collections.Generic;
using System.Globalization;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.Orders
{
    /// <summary>One line of an order-lines export: which order, which product, how many.</summary>
    public sealed class OrderLine
    {
        public string OrderId { get; set; } = "";
        public string Product { get; set; } = "";
        public long Quantity { get; set; }
        public string Source { get; set; } = "";
        public long Line { get; set; }
    }

    /// <summary>Reads order lines (order id, product, quantity) with the same rules and located errors as any row.</summary>
    public sealed class OrderLineNormalizer : RecordNormalizer<OrderLine>
    {
        public static readonly FieldSpec LineOrderId = CrmFields.OrderId.With("order", "заказ");
        public static readonly FieldSpec Product = new FieldSpec("product", "product id", "product name", "sku", "item", "товар", "наименование товара", "артикул", "позиция");
        public static readonly FieldSpec Quantity = new FieldSpec("quantity", "qty", "count", "amount", "количество", "кол-во", "кол во");

        public static readonly RecordSchema LineSchema = new RecordSchema("order line",
            new[] { LineOrderId.AsRequired(), Product.AsRequired(), Quantity }, Array.Empty<FieldSpec>());

        public OrderLineNormalizer(NormalizerOptions options) : base(LineSchema, options) { }

        protected override OrderLine Build(FieldReader r, string source, long line)
        {
            var item = new OrderLine { OrderId = r.RequiredIdentifier(LineOrderId), Product = r.RequiredIdentifier(Product), Quantity = 1, Source = source, Line = line };
            if (item.Product.Length > 0 && !AttributeNames.IsValid(item.Product))
                r.Fault(Product, "InvalidProduct", item.Product, "a product name of the catalogue: letters, digits, '_', '-' or ':' (1-255 characters)");
            var quantity = r.Raw(Quantity)?.Trim();
            if (quantity != null)
            {
                // Exports write 2, 2.0 or 2,00 for whole quantities.
                var amount = Normalization.MoneyParser.Parse(quantity);
                if (!amount.Ok || amount.Value < 1 || amount.Value != decimal.Truncate(amount.Value))
                    r.Fault(Quantity, "InvalidQuantity", quantity, "a whole quantity of 1 or more");
                else item.Quantity = (long)amount.Value;
            }
            return item;
        }

        // A line joins its order by the order's id; it carries no visitor identifiers (nothing to drop, none needed).
        protected override bool HasIdentifier(OrderLine line) => true;

        protected override RowFault? Missing(FieldReader r, OrderLine line) => null;
    }

    /// <summary>
    /// Order lines grouped by order id, to be joined to orders as they stream past. Lines whose order never came are
    /// reported at the end, so every line is either in an order or reported.
    /// </summary>
    public sealed class OrderLineIndex
    {
        private readonly Dictionary<string, List<OrderLine>> _byOrder = new Dictionary<string, List<OrderLine>>(StringComparer.Ordinal);

        public void Add(OrderLine line)
        {
            if (!_byOrder.TryGetValue(line.OrderId, out var list)) _byOrder[line.OrderId] = list = new List<OrderLine>(2);
            list.Add(line);
        }

        public int Orders => _byOrder.Count;

        /// <summary>Adds the order's lines to its products (quantities of a repeated product add up); returns how many lines it had.</summary>
        public int Join(CrmOrder order)
        {
            if (!_byOrder.TryGetValue(order.Id, out var lines)) return 0;
            _byOrder.Remove(order.Id);
            foreach (var line in lines)
            {
                int existing = order.Products.FindIndex(p => p.Name == line.Product);
                if (existing < 0) order.Products.Add(new OrderProduct(line.Product, line.Quantity));
                else order.Products[existing] = new OrderProduct(line.Product, order.Products[existing].Quantity + line.Quantity);
            }
            return lines.Count;
        }

        /// <summary>Lines of orders that never came, as rejections with their location.</summary>
        public IEnumerable<RowRejection> Unjoined()
        {
            foreach (var pair in _byOrder)
                foreach (var line in pair.Value)
                    yield return new RowRejection(line.Source, line.Line, new[]
                    {
                        new RowFault("OrphanOrderLine", "id", line.OrderId, "an order line of an order that was read: no order has this id"),
                    }, new Dictionary<string, string?> { ["order"] = line.OrderId, ["product"] = line.Product, ["quantity"] = line.Quantity.ToString(CultureInfo.InvariantCulture) });
        }
    }
}
