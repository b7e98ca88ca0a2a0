using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using TimeZoneConverter;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>
    /// Reads the date-times CRMs export and keeps them as absolute instants. A value without an offset is read in
    /// <see cref="Zone"/>; one with an offset or Z keeps it. Sending later converts to the counter's zone.
    /// </summary>
    public sealed class CrmDateTimeParser
    {
        private static readonly string[] LocalFormats =
        {
            "d.M.yyyy H:mm:ss", "d.M.yyyy H:mm", "d.M.yy H:mm:ss", "d.M.yy H:mm",
            "yyyy-M-d H:mm:ss", "yyyy-M-d H:mm", "yyyy-M-d'T'H:mm:ss", "yyyy-M-d'T'H:mm",
            "yyyy-M-d H:mm:ss.FFFFFFF", "yyyy-M-d'T'H:mm:ss.FFFFFFF",
        };
        private static readonly string[] DateOnlyFormats = { "d.M.yyyy", "d.M.yy", "yyyy-M-d" };
        // 'zzz' requires an offset to be present ('K' would also match none and silently use the machine's zone).
        private static readonly string[] OffsetFormats =
        {
            "yyyy-M-d'T'H:mm:sszzz", "yyyy-M-d'T'H:mm:ss.FFFFFFFzzz", "yyyy-M-d H:mm:sszzz", "yyyy-M-d H:mm:ss.FFFFFFFzzz", "yyyy-M-d'T'H:mmzzz",
            "yyyy-M-d'T'H:mm:ss'Z'", "yyyy-M-d'T'H:mm:ss.FFFFFFF'Z'", "yyyy-M-d H:mm:ss'Z'", "yyyy-M-d'T'H:mm'Z'",
            "yyyy-M-d H:mm:ss zzz", // the form this parser's own explanations write
        };
        private static readonly DateTimeOffset Epoch = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public const string Accepted = "a date-time such as 31.12.2024 18:30[:00], 31.12.24, 2024-12-31[ T]18:30[:00], ISO 8601 with offset or Z, or Unix seconds";

        private readonly Func<DateTimeOffset> _now;

        public CrmDateTimeParser(TimeZoneInfo zone, Func<DateTimeOffset>? now = null, CultureInfo? culture = null)
        {
            Zone = zone;
            _now = now ?? (() => DateTimeOffset.UtcNow);
            var c = culture ?? CultureInfo.CurrentCulture;
            _culture = c;
            _cultureDateFormat = c.DateTimeFormat.ShortDatePattern + " " + c.DateTimeFormat.LongTimePattern;
            _cultureFormats = new[] { _cultureDateFormat + " zzz" };
            string pattern = c.DateTimeFormat.ShortDatePattern;
            // The invariant culture (a server or container without a locale) writes MM/dd/yyyy for no one: it settles nothing.
            CultureSlashOrder = c.DateTimeFormat.DateSeparator != "/" || pattern.Length == 0 || c.Name.Length == 0 ? SlashDateOrder.Unsettled
                : pattern[0] == 'd' ? SlashDateOrder.DayFirst : pattern[0] == 'M' ? SlashDateOrder.MonthFirst : SlashDateOrder.Unsettled;
        }

        /// <summary>
        /// The order of this culture's d/m/y dates when it writes dates with '/' (en-GB: day first, en-US: month first),
        /// else Unsettled: what reads a column of 04/12/2026 dates that no value of its own settles.
        /// </summary>
        public SlashDateOrder CultureSlashOrder { get; }

        /// <summary>The name of the culture dates are read in (ru-RU...).</summary>
        public string CultureName => _culture.Name;

        // DateTimeOffset.ToString() in this culture (what Export-Csv writes), offset required: an instant written by a
        // program on this machine, so an export reads back; without its offset the same shape stays refused (ambiguous).
        private readonly CultureInfo _culture;
        private readonly string[] _cultureFormats;
        private readonly string _cultureDateFormat;

        public TimeZoneInfo Zone { get; }

        /// <summary>Resolves a Windows or IANA zone id on any OS; null or empty means the machine's local zone.</summary>
        /// <summary>Ids <see cref="ResolveZone"/> accepts: this machine's zones and the IANA names (for completion).</summary>
        public static IEnumerable<string> KnownZoneIds() =>
            TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Concat(TZConvert.KnownIanaTimeZoneNames).Append("UTC")
                .Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(z => z, StringComparer.OrdinalIgnoreCase);

        public static TimeZoneInfo ResolveZone(string? id)
        {
            if (string.IsNullOrWhiteSpace(id)) return TimeZoneInfo.Local;
            if (string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase)) return TimeZoneInfo.Utc;
            // The runtime's own lookup first: on .NET (PowerShell 7) it knows IANA and Windows ids and is fast, while
            // TZConvert enumerates every system zone on first use (over half a second). Windows PowerShell's
            // .NET Framework knows only Windows ids, so IANA ids fall through to TZConvert there.
            try { return TimeZoneInfo.FindSystemTimeZoneById(id!.Trim()); }
            catch (TimeZoneNotFoundException) { }
            catch (InvalidTimeZoneException) { }
            if (TZConvert.TryGetTimeZoneInfo(id!.Trim(), out var zone)) return zone;
            throw new ArgumentException($"'{id}' is not a time zone id this machine knows (use an IANA id such as Europe/Moscow or a Windows id such as Russian Standard Time).");
        }

        public Normalized<DateTimeOffset> Parse(string raw)
        {
            string text = raw.Trim();
            DateTimeOffset value;
            string? note = null;
            if (text.Length >= 9 && text.Length <= 13 && IsDigits(text))
            {
                long n = long.Parse(text, CultureInfo.InvariantCulture);
                value = text.Length == 13 ? Epoch.AddMilliseconds(n) : Epoch.AddSeconds(n);
                note = text.Length == 13 ? "Unix milliseconds" : "Unix seconds";
            }
            else if (TryParseCommon(text, out var common, out bool dateOnly))
            {
                value = dateOnly ? EndOfDay(common) : InZone(common);
                if (dateOnly) note = DateOnlyNote;
            }
            else if (DateTimeOffset.TryParseExact(text, OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
            {
            }
            else if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                value = InZone(local);
            }
            else if (DateTimeOffset.TryParseExact(text, _cultureFormats, _culture, DateTimeStyles.None, out value))
            {
                note = $"the date-time form of culture '{_culture.Name}' with its offset (as Export-Csv writes it)";
            }
            else if (DateTime.TryParseExact(text, DateOnlyFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                value = EndOfDay(day);
                note = DateOnlyNote;
            }
            else
            {
                return Normalized<DateTimeOffset>.Fail("InvalidDateTime", Accepted);
            }

            if (value < Epoch) return Normalized<DateTimeOffset>.Fail("DateBefore1970", "a date-time from 1970 on (Metrica does not accept earlier dates)");
            if (value.UtcTicks > _latestNowTicks && value > LatestNow()) return Normalized<DateTimeOffset>.Fail("FutureDateTime", $"a date-time that has passed (now is {_now().ToOffset(Zone.GetUtcOffset(_now())):yyyy-MM-dd HH:mm:ss} in {Zone.Id}, the zone the input is read in)");
            return Normalized<DateTimeOffset>.Success(value, note);
        }

        /// <summary>A calendar date (a birth date): the date as written (a time part, as Excel adds, is ignored), from 1970, not in the future.</summary>
        public Normalized<DateTime> ParseDate(string raw)
        {
            string text = raw.Trim();
            DateTime day;
            if (TryParseCommon(text, out var common, out _)) day = common.Date;
            else if (!DateTime.TryParseExact(text, DateOnlyFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out day)
                && !IsCultureDate(text, out day))
                return Normalized<DateTime>.Fail("InvalidDate", "a date such as 31.12.1990, 31.12.90 or 1990-12-31");
            if (day.Year < 1970) return Normalized<DateTime>.Fail("DateBefore1970", "a date from 1970 on (Metrica does not accept earlier dates)");
            if (day > InZoneNow().Date) return Normalized<DateTime>.Fail("FutureDateTime", "a date that has passed");
            return Normalized<DateTime>.Success(day);
        }

        /// <summary>
        /// DateTime.ToString() of a date in this culture (what Export-Csv writes for a birth date): the culture's form
        /// with a midnight time to the second, the mark of a date written by a program here rather than typed.
        /// </summary>
        /// <summary>
        /// Whether a value is what Export-Csv writes in this culture (a date-time with its offset, or a date at midnight to
        /// the second): a round trip of the module's own export, read in the culture that wrote it, never by the d/m/y
        /// reading of a CRM's slash dates.
        /// </summary>
        public bool IsExportForm(string text)
        {
            string t = text.Trim();
            return DateTimeOffset.TryParseExact(t, _cultureFormats, _culture, DateTimeStyles.None, out _) || IsCultureDate(t, out _);
        }

        private bool IsCultureDate(string text, out DateTime day) =>
            DateTime.TryParseExact(text, _cultureDateFormat, _culture, DateTimeStyles.None, out day) && day.TimeOfDay == TimeSpan.Zero;

        /// <summary>
        /// The latest "now" read, in UTC ticks: a value not after it has passed for certain, so the clock is read again
        /// only for a value after it (clock reads were a visible cost per row). A long, so a torn read cannot happen.
        /// </summary>
        private long _latestNowTicks = long.MinValue;

        private DateTimeOffset LatestNow()
        {
            var now = _now();
            _latestNowTicks = now.UtcTicks;
            return now;
        }

        private DateTime InZoneNow() => TimeZoneInfo.ConvertTime(_now(), Zone).DateTime;

        /// <summary>
        /// The common shapes (31.12.2024 18:30[:00], 31.12.24, 2024-12-31[ T]18:30[:00]) read digit by digit: the
        /// framework's ParseExact with a list of formats was the largest cost of an import (culture-aware matching).
        /// Anything else falls through to ParseExact.
        /// </summary>
        internal static bool TryParseCommon(string s, out DateTime value, out bool dateOnly)
        {
            value = default;
            dateOnly = false;
            int i = 0, year, month, day;
            if (!Number(s, ref i, 1, 4, out int first)) return false;
            if (i < s.Length && s[i] == '.' && i <= 2)
            {
                day = first;
                i++;
                if (!Number(s, ref i, 1, 2, out month) || i >= s.Length || s[i] != '.') return false;
                i++;
                int start = i;
                if (!Number(s, ref i, 2, 4, out year) || i - start == 3) return false;
                if (i - start == 2) year += year <= 49 ? 2000 : 1900; // as ParseExact's "yy" (TwoDigitYearMax 2049)
            }
            else if (i == 4 && i < s.Length && s[i] == '-')
            {
                year = first;
                i++;
                if (!Number(s, ref i, 1, 2, out month) || i >= s.Length || s[i] != '-') return false;
                i++;
                if (!Number(s, ref i, 1, 2, out day)) return false;
            }
            else return false;
            if (month < 1 || month > 12 || year < 1 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
            if (i == s.Length)
            {
                value = new DateTime(year, month, day);
                dateOnly = true;
                return true;
            }
            if (s[i] != ' ' && s[i] != 'T') return false;
            i++;
            int second = 0;
            if (!Number(s, ref i, 1, 2, out int hour) || i >= s.Length || s[i] != ':') return false;
            i++;
            if (!Number(s, ref i, 2, 2, out int minute)) return false;
            if (i < s.Length)
            {
                if (s[i] != ':') return false;
                i++;
                if (!Number(s, ref i, 2, 2, out second) || i != s.Length) return false;
            }
            if (hour > 23 || minute > 59 || second > 59) return false;
            value = new DateTime(year, month, day, hour, minute, second);
            return true;
        }

        private static bool Number(string s, ref int i, int minDigits, int maxDigits, out int value)
        {
            value = 0;
            int start = i;
            while (i < s.Length && i - start < maxDigits && s[i] >= '0' && s[i] <= '9') value = value * 10 + (s[i++] - '0');
            return i - start >= minDigits;
        }

        private const string DateOnlyNote = "date without time: end of that day";

        /// <summary>Metrica matches a date-only order to sessions up to the end of that day: keep that meaning (today: now).</summary>
        private DateTimeOffset EndOfDay(DateTime day)
        {
            var end = InZone(day.Date.AddDays(1).AddSeconds(-1));
            var now = _now();
            return end > now && InZone(day.Date) <= now ? now : end;
        }

        private DateTimeOffset InZone(DateTime local)
        {
            var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
            return new DateTimeOffset(unspecified, Zone.GetUtcOffset(unspecified));
        }

        private static bool IsDigits(string s)
        {
            foreach (char c in s) if (c < '0' || c > '9') return false;
            return true;
        }
    }
}
