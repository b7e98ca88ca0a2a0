using System;
using System.Globalization;
using System.Management.Automation;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// A TimeSpan parameter's value as the user meant it. PowerShell turns a bare number into ticks (-MaxAge 21 is
    /// 2.1 microseconds, which skips every order) and .NET turns the text "21" into days: neither is what a script
    /// that says 21 can rely on. With <see cref="BareNumberIsDays"/> a bare number is days (-MaxAge 21: three weeks);
    /// without it a bare number is refused with the forms to use ('00:00:05', New-TimeSpan -Seconds 5).
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class TimeSpanArgumentAttribute : ArgumentTransformationAttribute
    {
        public bool BareNumberIsDays { get; set; }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject p ? p.BaseObject : inputData;
            double? number = value switch
            {
                int i => i,
                long l => l,
                double d => d,
                decimal m => (double)m,
                string s when double.TryParse(s.Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
                _ => null,
            };
            if (number == null) return inputData;
            if (BareNumberIsDays) return TimeSpan.FromDays(number.Value);
            throw new ArgumentTransformationMetadataException(
                $"'{value}' is a bare number, which could mean ticks, seconds or days. Give a time span: '00:00:05' for five seconds, " +
                "'00:10:00' for ten minutes, '1.00:00:00' for a day, or (New-TimeSpan -Seconds 5).");
        }
    }
}
