using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.OfflineConversions
{
    /// <summary>
    /// An offline conversions or calls file: UTF-8, the documented header spellings, DateTime as Unix seconds, '.'
    /// decimals. A file has exactly the columns its first record fills, so no cell is sent empty (whether Metrica
    /// accepts an empty identifier or price cell is not documented); a record that fills other columns starts a new file.
    /// </summary>
    public sealed class OfflineCsvWriter<TEvent> : CsvBatchWriter<TEvent> where TEvent : OfflineEvent
    {
        private readonly IReadOnlyList<OfflineColumn<TEvent>> _all;
        private readonly bool[] _written;
        private readonly OfflineColumn<TEvent>[] _columns;

        public OfflineCsvWriter(string path, IReadOnlyList<OfflineColumn<TEvent>> all, TEvent first)
            : this(path, all, all.Select(c => c.Value(first) != null).ToArray()) { }

        private OfflineCsvWriter(string path, IReadOnlyList<OfflineColumn<TEvent>> all, bool[] written)
            : base(path, all.Where((c, i) => written[i]).Select(c => c.Header).ToArray())
        {
            _all = all;
            _written = written;
            _columns = all.Where((c, i) => written[i]).ToArray();
        }

        /// <summary>The record fills exactly this file's columns.</summary>
        public override bool Fits(TEvent record)
        {
            for (int i = 0; i < _all.Count; i++)
                if ((_all[i].Value(record) != null) != _written[i]) return false;
            return true;
        }

        protected override void WriteRecord(TEvent record)
        {
            foreach (var column in _columns) Csv.WriteField(column.Value(record)!);
            Csv.EndRecord();
        }
    }

    /// <summary>One column of an offline file: its documented header and how a record fills it (null: empty).</summary>
    public sealed class OfflineColumn<TEvent> where TEvent : OfflineEvent
    {
        public OfflineColumn(string header, Func<TEvent, string?> value)
        {
            Header = header;
            Value = value;
        }

        public string Header { get; }
        public Func<TEvent, string?> Value { get; }
    }

    public static class OfflineColumns
    {
        private static string Money(decimal value) => value.ToString(CultureInfo.InvariantCulture);
        private static string Flag(bool value) => value ? "1" : "0";
        private static string Whole(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>Conversions: ClientId, UserId, Yclid, PurchaseId, Target, DateTime, Price, Currency (fact sheet §4.3).</summary>
        public static readonly IReadOnlyList<OfflineColumn<CrmConversion>> Conversions = new[]
        {
            new OfflineColumn<CrmConversion>("ClientId", e => e.ClientId),
            new OfflineColumn<CrmConversion>("UserId", e => e.UserId),
            new OfflineColumn<CrmConversion>("Yclid", e => e.Yclid),
            new OfflineColumn<CrmConversion>("PurchaseId", e => e.PurchaseId),
            new OfflineColumn<CrmConversion>("Target", e => e.Target),
            new OfflineColumn<CrmConversion>("DateTime", e => Whole(e.DateTime.ToUnixTimeSeconds())),
            new OfflineColumn<CrmConversion>("Price", e => e.Price == null ? null : Money(e.Price.Value)),
            new OfflineColumn<CrmConversion>("Currency", e => e.Currency),
        };

        /// <summary>Calls: UserId, ClientId, Yclid, DateTime and the optional call columns (fact sheet §4.4).</summary>
        public static readonly IReadOnlyList<OfflineColumn<Calls.CrmCall>> Calls = new[]
        {
            new OfflineColumn<Calls.CrmCall>("UserId", e => e.UserId),
            new OfflineColumn<Calls.CrmCall>("ClientId", e => e.ClientId),
            new OfflineColumn<Calls.CrmCall>("Yclid", e => e.Yclid),
            new OfflineColumn<Calls.CrmCall>("DateTime", e => Whole(e.DateTime.ToUnixTimeSeconds())),
            new OfflineColumn<Calls.CrmCall>("StaticCall", e => e.StaticCall == null ? null : Flag(e.StaticCall.Value)),
            new OfflineColumn<Calls.CrmCall>("Price", e => e.Price == null ? null : Money(e.Price.Value)),
            new OfflineColumn<Calls.CrmCall>("Currency", e => e.Currency),
            new OfflineColumn<Calls.CrmCall>("PhoneNumber", e => e.PhoneNumber),
            new OfflineColumn<Calls.CrmCall>("TalkDuration", e => e.TalkDuration == null ? null : Whole(e.TalkDuration.Value)),
            new OfflineColumn<Calls.CrmCall>("HoldDuration", e => e.HoldDuration == null ? null : Whole(e.HoldDuration.Value)),
            new OfflineColumn<Calls.CrmCall>("CallMissed", e => e.CallMissed == null ? null : Flag(e.CallMissed.Value)),
            new OfflineColumn<Calls.CrmCall>("Tag", e => e.Tag),
            new OfflineColumn<Calls.CrmCall>("FirstTimeCaller", e => e.FirstTimeCaller == null ? null : Flag(e.FirstTimeCaller.Value)),
            new OfflineColumn<Calls.CrmCall>("URL", e => e.Url),
            new OfflineColumn<Calls.CrmCall>("CallTrackerURL", e => e.CallTrackerUrl),
        };
    }
}
