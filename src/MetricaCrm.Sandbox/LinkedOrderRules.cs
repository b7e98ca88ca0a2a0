namespace MetricaCrm.Sandbox;

/// <summary>
/// What Metrica does with an order once it is linked to a visit (contacts.md, "Как Метрика привязывает данные из CRM к
/// визитам"): its status, sum and products can change for 111 days from the start of the visit; later changes do not take.
/// The sandbox knows no CDP visits, so it takes the order's creation time for the visit's start: the latest it can be
/// (a visit precedes its order), which makes the sandbox's window end no earlier than Metrica's (looser, documented).
/// </summary>
public static class LinkedOrderRules
{
    public static readonly TimeSpan EditWindow = TimeSpan.FromDays(111);

    /// <summary>Whether an upload at <paramref name="uploadedAtCounterTime"/> may no longer change the stored, linked order.</summary>
    public static bool IsFrozen(StoredOrder? existing, DateTime uploadedAtCounterTime) =>
        existing is { Linked: true } && SimpleOrdersRules.TryParseDate(existing.CreateDateTime, out var created) && uploadedAtCounterTime - created > EditWindow;

    /// <summary>
    /// The fields a frozen order keeps, copied before the merge touches them (UPDATE and APPEND merge into the stored
    /// order's own buffer); null when the order is not frozen.
    /// </summary>
    public static Action<StoredOrder>? KeepIfFrozen(StoredOrder? existing, DateTime uploadedAtCounterTime) =>
        // The closure is made in its own method: captured locals here would allocate it for every row, frozen or not.
        IsFrozen(existing, uploadedAtCounterTime) ? Keep(existing!) : null;

    private static Action<StoredOrder> Keep(StoredOrder existing)
    {
        var (status, revenue, cost) = (existing.OrderStatus, existing.Revenue, existing.Cost);
        var products = existing.Products.ToArray();
        return order =>
        {
            (order.OrderStatus, order.Revenue, order.Cost) = (status, revenue, cost);
            order.Products.Clear();
            foreach (var (name, quantity) in products) order.Products[name] = quantity;
        };
    }
}
