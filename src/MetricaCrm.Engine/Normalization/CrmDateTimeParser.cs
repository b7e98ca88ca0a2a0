using System;
using System.Globalization;
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
        };
        private static readonly DateTimeOffset Epoch = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
        public const string Accepted = "a date-time such as 31.12.2024 18:30[:00], 31.12.24, 2024-12-31[ T]18:30[:00], ISO 8601 with offset or Z, or Unix seconds";

        private readonly Func<DateTimeOffset> _now;

        public CrmDateTimeParser(TimeZoneInfo zone, Func<DateTimeOffset>? now = null)
        {
            Zone = zone;
            _now = now ?? (() => DateTimeOffset.UtcNow);
        }

        public TimeZoneInfo Zone { get; }

        /// <summary>Resolves a Windows or IANA zone id on any OS; null or empty means the machine's local zone.</summary>
        public static TimeZoneInfo ResolveZone(string? id)
        {
            if (string.IsNullOrWhiteSpace(id)) return TimeZoneInfo.Local;
            if (string.Equals(id, "UTC", StringComparison.OrdinalIgnoreCase)) return TimeZoneInfo.Utc;
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
            else if (DateTimeOffset.TryParseExact(text, OffsetFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
            {
            }
            else if (DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            {
                value = InZone(local);
            }
            else if (DateTime.TryParseExact(text, DateOnlyFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                // Metrica matches a date-only order to sessions up to the end of that day: keep that meaning.
                value = InZone(day.Date.AddDays(1).AddSeconds(-1));
                var now = _now();
                if (value > now && InZone(day.Date) <= now) value = now;
                note = "date without time: end of that day";
            }
            else
            {
                return Normalized<DateTimeOffset>.Fail("InvalidDateTime", Accepted);
            }

            if (value < Epoch) return Normalized<DateTimeOffset>.Fail("DateBefore1970", "a date-time from 1970 on (Metrica does not accept earlier dates)");
            if (value > _now()) return Normalized<DateTimeOffset>.Fail("FutureDateTime", $"a date-time that has passed (now is {_now().ToOffset(Zone.GetUtcOffset(_now())):yyyy-MM-dd HH:mm:ss} in {Zone.Id}); check -TimeZone");
            return Normalized<DateTimeOffset>.Success(value, note);
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
