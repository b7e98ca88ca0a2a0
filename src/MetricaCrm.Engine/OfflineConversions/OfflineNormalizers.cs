using System;
using System.Globalization;
using MetricaCrm.Engine.Calls;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Normalization;

namespace MetricaCrm.Engine.OfflineConversions
{
    /// <summary>The columns of offline conversions and calls exports, with the spellings call trackers and shops use.</summary>
    public static class OfflineFields
    {
        // In these exports a "Client ID" is always Metrica's visitor id: the event has no CRM client.
        public static readonly FieldSpec ClientId = CrmFields.ClientIds.With("clientid", "client id", "client_id", "id клиента", "ym uid");
        public static readonly FieldSpec UserId = new FieldSpec("userid", "user id", "user_id", "id пользователя");
        public static readonly FieldSpec Yclid = new FieldSpec("yclid", "click id", "ya click id", "yandex click id");
        public static readonly FieldSpec PurchaseId = new FieldSpec("purchaseid", "purchase id", "transaction id", "id покупки", "id транзакции");
        public static readonly FieldSpec Target = new FieldSpec("target", "goal", "goal id", "цель", "идентификатор цели");
        public static readonly FieldSpec DateTime = new FieldSpec("datetime", "date time", "date", "time", "timestamp", "conversion time",
            "call time", "call date", "дата", "дата и время", "время", "время звонка", "дата звонка");
        public static readonly FieldSpec Price = new FieldSpec("price", "revenue", "amount", "value", "sum", "сумма", "стоимость", "цена", "ценность");
        public static readonly FieldSpec Currency = CrmFields.Currency;
        public static readonly FieldSpec StaticCall = new FieldSpec("staticcall", "static call", "static", "статический");
        public static readonly FieldSpec PhoneNumber = new FieldSpec("phonenumber", "phone number", "called number", "number", "номер", "номер телефона", "телефон");
        public static readonly FieldSpec TalkDuration = new FieldSpec("talkduration", "talk duration", "duration", "talk time", "длительность", "длительность разговора");
        public static readonly FieldSpec HoldDuration = new FieldSpec("holdduration", "hold duration", "wait time", "ring time", "ожидание", "время ожидания");
        public static readonly FieldSpec CallMissed = new FieldSpec("callmissed", "call missed", "missed", "пропущен", "пропущенный");
        public static readonly FieldSpec Tag = new FieldSpec("tag", "tags", "label", "тег", "метка");
        public static readonly FieldSpec FirstTimeCaller = new FieldSpec("firsttimecaller", "first time caller", "first call", "new caller", "первичный", "первый звонок");
        public static readonly FieldSpec Url = new FieldSpec("url", "page", "page url", "landing page", "страница");
        public static readonly FieldSpec CallTrackerUrl = new FieldSpec("calltrackerurl", "call tracker url", "record url", "recording", "ссылка на запись", "запись");

        public static readonly RecordSchema Conversions = new RecordSchema("conversion",
            new[] { ClientId, UserId, Yclid, PurchaseId, Target.AsRequired(), DateTime.AsRequired(), Price, Currency },
            new[] { ClientId, UserId, Yclid, PurchaseId });

        public static readonly RecordSchema Calls = new RecordSchema("call",
            new[] { ClientId, UserId, Yclid, DateTime.AsRequired(), Price, Currency, StaticCall, PhoneNumber, TalkDuration, HoldDuration, CallMissed, Tag, FirstTimeCaller, Url, CallTrackerUrl },
            new[] { ClientId, UserId, Yclid });
    }

    /// <summary>Reads what conversions and calls share: one visitor id of each kind, the time, the value.</summary>
    internal static class OfflineEventReader
    {
        public static void Read(FieldReader r, OfflineEvent e, string source, long line)
        {
            e.ClientId = Single(r, OfflineFields.ClientId, r.ClientIds(OfflineFields.ClientId));
            e.UserId = r.VisitorId(OfflineFields.UserId);
            e.Yclid = r.Yclid(OfflineFields.Yclid);
            e.DateTime = r.DateTime(OfflineFields.DateTime, required: true) ?? default;
            e.Price = r.Money(OfflineFields.Price, OfflineFields.Currency, documentedPointHeader: "Price");
            e.Currency = r.Currency(OfflineFields.Currency);
            e.SourceFile = source;
            e.SourceLine = line;
        }

        private static string? Single(FieldReader r, FieldSpec field, string[] values)
        {
            if (values.Length > 1) r.Fault(field, "SeveralValues", string.Join(",", values), "one value per row");
            return values.Length == 0 ? null : values[0];
        }
    }

    public sealed class ConversionNormalizer : RecordNormalizer<CrmConversion>
    {
        public ConversionNormalizer(NormalizerOptions options) : base(OfflineFields.Conversions, options) { }

        protected override CrmConversion Build(FieldReader r, string source, long line)
        {
            var c = new CrmConversion { PurchaseId = r.VisitorId(OfflineFields.PurchaseId), Target = r.RequiredIdentifier(OfflineFields.Target) };
            OfflineEventReader.Read(r, c, source, line);
            return c;
        }

        protected override bool HasIdentifier(CrmConversion c) => c.HasIdentifier;

        protected override RowFault? Missing(FieldReader r, CrmConversion c) => r.NoIdentifier(OfflineFields.ClientId, IdentifierRule.Conversion);
    }

    public sealed class CallNormalizer : RecordNormalizer<CrmCall>
    {
        public CallNormalizer(NormalizerOptions options) : base(OfflineFields.Calls, options) { }

        protected override CrmCall Build(FieldReader r, string source, long line)
        {
            var call = new CrmCall
            {
                StaticCall = r.Flag(OfflineFields.StaticCall),
                PhoneNumber = r.CalledNumber(OfflineFields.PhoneNumber),
                TalkDuration = r.Seconds(OfflineFields.TalkDuration),
                HoldDuration = r.Seconds(OfflineFields.HoldDuration),
                CallMissed = r.Flag(OfflineFields.CallMissed),
                Tag = r.Text(OfflineFields.Tag),
                FirstTimeCaller = r.Flag(OfflineFields.FirstTimeCaller),
                Url = r.AbsoluteUrl(OfflineFields.Url),
                CallTrackerUrl = r.AbsoluteUrl(OfflineFields.CallTrackerUrl),
            };
            OfflineEventReader.Read(r, call, source, line);
            return call;
        }

        // The called number is no identifier: a bad one is dropped while the call has a visitor id (FieldReader.CalledNumber).
        protected override bool HasIdentifier(CrmCall call) => call.HasIdentifier;

        protected override RowFault? Missing(FieldReader r, CrmCall call) => r.NoIdentifier(OfflineFields.ClientId, IdentifierRule.Call);
    }
}
