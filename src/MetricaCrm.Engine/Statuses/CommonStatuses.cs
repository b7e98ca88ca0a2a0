using System.Collections.Generic;

namespace MetricaCrm.Engine.Statuses
{
    /// <summary>
    /// Common CRM status names (English and Russian: amoCRM, Bitrix24, retailCRM, 1C, Salesforce) and the Metrica type
    /// they almost always mean. Used only with -IncludeCommonStatuses; an explicit map entry wins. Documented in docs/reading-exports.md.
    /// </summary>
    public static class CommonStatuses
    {
        public static readonly IReadOnlyDictionary<string, string> Table = Build();

        private static Dictionary<string, string> Build()
        {
            var t = new Dictionary<string, string>();
            void Add(string type, params string[] names) { foreach (var n in names) t[n] = type; }
            Add("IN_PROGRESS", "new", "created", "open", "in progress", "in work", "processing", "pending", "confirmed", "awaiting payment",
                "shipped", "delivering", "qualification", "negotiation", "proposal", "prospecting",
                "новый", "новая", "новый заказ", "создан", "в работе", "в обработке", "принят", "подтвержден", "ожидает оплаты",
                "согласование", "отправлен", "доставляется", "в пути", "первичный контакт", "переговоры", "принимают решение", "квалификация",
                // amoCRM's default pipeline and Bitrix24's default deal stages, as their exports spell them.
                "неразобранное", "согласование договора", "подготовка документов", "счёт на предоплату", "финальный счёт");
            Add("PAID", "paid", "won", "closed won", "complete", "completed", "done", "delivered", "success", "fulfilled",
                "оплачен", "оплачено", "оплата получена", "выполнен", "выполнено", "завершен", "доставлен", "успешно реализовано", "сделка успешна", "продажа");
            Add("CANCELLED", "cancelled", "canceled", "lost", "closed lost", "rejected", "refunded", "returned", "failed", "declined",
                "отменен", "отменён", "отменено", "отказ", "возврат", "закрыто и не реализовано", "сделка провалена", "не реализовано", "не оплачен",
                "анализ причины провала");
            Add("SPAM", "spam", "junk", "fake", "test", "спам", "мусор", "фейк", "тест", "дубль", "дубликат");
            return t;
        }
    }
}
