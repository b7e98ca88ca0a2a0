using System;
using System.Globalization;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>CDP date-times: yyyy-MM-dd HH:mm:ss in the counter's time zone, in CSV and JSON alike (fact sheet §3.4).</summary>
    public static class CounterTime
    {
        public static string Format(DateTimeOffset instant, TimeZoneInfo counterZone) =>
            TimeZoneInfo.ConvertTime(instant, counterZone).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

        public static string? Format(DateTimeOffset? instant, TimeZoneInfo counterZone) =>
            instant == null ? null : Format(instant.Value, counterZone);
    }
}
