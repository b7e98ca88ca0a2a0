using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.OfflineConversions
{
    /// <summary>
    /// The columns of an offline conversions or calls file: the documented header spellings, DateTime as Unix seconds,
    /// '.' decimals. Every column but the identifiers, Target and DateTime is optional (fact sheet §4.3, §4.4), and a file
    /// has exactly the columns its records fill: whether Metrica accepts an empty identifier, price or tag cell is not
    /// documented.
    /// </summary>
    public static class OfflineCsvColumns
    {
        private static string Money(decimal value) => value.ToString(CultureInfo.InvariantCulture);
        private static string Flag(bool value) => value ? "1" : "0";
        private static string Whole(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>Conversions: ClientId, UserId, Yclid, PurchaseId, Target, DateTime, Price, Currency (fact sheet §4.3).</summary>
        public static readonly CsvLayout<CrmConversion> Conversions = new CsvLayout<CrmConversion>(new[]
        {
            new CsvColumn<CrmConversion>("ClientId", e => e.ClientId),
            new CsvColumn<CrmConversion>("UserId", e => e.UserId),
            new CsvColumn<CrmConversion>("Yclid", e => e.Yclid),
            new CsvColumn<CrmConversion>("PurchaseId", e => e.PurchaseId),
            new CsvColumn<CrmConversion>("Target", e => e.Target),
            new CsvColumn<CrmConversion>("DateTime", e => Whole(e.DateTime.ToUnixTimeSeconds())),
            new CsvColumn<CrmConversion>("Price", e => e.Price == null ? null : Money(e.Price.Value)),
            new CsvColumn<CrmConversion>("Currency", e => e.Currency),
        });

        /// <summary>Calls: UserId, ClientId, Yclid, DateTime and the optional call columns (fact sheet §4.4).</summary>
        public static readonly CsvLayout<Calls.CrmCall> Calls = new CsvLayout<Calls.CrmCall>(new[]
        {
            new CsvColumn<Calls.CrmCall>("UserId", e => e.UserId),
            new CsvColumn<Calls.CrmCall>("ClientId", e => e.ClientId),
            new CsvColumn<Calls.CrmCall>("Yclid", e => e.Yclid),
            new CsvColumn<Calls.CrmCall>("DateTime", e => Whole(e.DateTime.ToUnixTimeSeconds())),
            new CsvColumn<Calls.CrmCall>("StaticCall", e => e.StaticCall == null ? null : Flag(e.StaticCall.Value)),
            new CsvColumn<Calls.CrmCall>("Price", e => e.Price == null ? null : Money(e.Price.Value)),
            new CsvColumn<Calls.CrmCall>("Currency", e => e.Currency),
            new CsvColumn<Calls.CrmCall>("PhoneNumber", e => e.PhoneNumber),
            new CsvColumn<Calls.CrmCall>("TalkDuration", e => e.TalkDuration == null ? null : Whole(e.TalkDuration.Value)),
            new CsvColumn<Calls.CrmCall>("HoldDuration", e => e.HoldDuration == null ? null : Whole(e.HoldDuration.Value)),
            new CsvColumn<Calls.CrmCall>("CallMissed", e => e.CallMissed == null ? null : Flag(e.CallMissed.Value)),
            new CsvColumn<Calls.CrmCall>("Tag", e => e.Tag),
            new CsvColumn<Calls.CrmCall>("FirstTimeCaller", e => e.FirstTimeCaller == null ? null : Flag(e.FirstTimeCaller.Value)),
            new CsvColumn<Calls.CrmCall>("URL", e => e.Url),
            new CsvColumn<Calls.CrmCall>("CallTrackerURL", e => e.CallTrackerUrl),
        });
    }
}
