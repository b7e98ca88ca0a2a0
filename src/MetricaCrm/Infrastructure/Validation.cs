using System;
using System.Management.Automation;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Normalization;

namespace MetricaCrm.Commands.Infrastructure
{
    // Parameter checks that run while PowerShell binds, so a bad value stops the command before any row is read or
    // anything is sent; PowerShell reports them as ParameterArgumentValidationError with the parameter's name.

    /// <summary>A time zone id this machine can resolve (IANA or Windows), the way the import and send will read it.</summary>
    public sealed class ValidateTimeZoneAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            try { CrmDateTimeParser.ResolveZone(Text(arguments)); }
            catch (ArgumentException ex) { throw new ValidationMetadataException(ex.Message); }
        }

        internal static string? Text(object arguments) => (arguments is PSObject p ? p.BaseObject : arguments)?.ToString();
    }

    /// <summary>An encoding name the CSV reader knows.</summary>
    public sealed class ValidateEncodingAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            try { EncodingDetector.Resolve(ValidateTimeZoneAttribute.Text(arguments) ?? ""); }
            catch (ArgumentException ex) { throw new ValidationMetadataException(ex.Message); }
        }
    }

    /// <summary>An ISO 4217 code (or a spelling of one, such as руб), as the import reads currency columns.</summary>
    public sealed class ValidateCurrencyAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var text = ValidateTimeZoneAttribute.Text(arguments) ?? "";
            var result = CurrencyCodes.Normalize(text);
            if (!result.Ok) throw new ValidationMetadataException($"'{text}' is not {result.Error}.");
        }
    }

    /// <summary>A region libphonenumber knows, for numbers without a country code.</summary>
    public sealed class ValidateRegionAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            try { _ = new PhoneNormalizer(ValidateTimeZoneAttribute.Text(arguments) ?? ""); }
            catch (ArgumentException ex) { throw new ValidationMetadataException(ex.Message.Split('\n')[0].Replace(" (Parameter 'defaultRegion')", "")); }
        }
    }

    /// <summary>A TimeSpan above zero (a negative delay or timeout would only fail deep inside a run).</summary>
    public sealed class ValidatePositiveTimeSpanAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var value = arguments is PSObject p ? p.BaseObject : arguments;
            if (value is TimeSpan t && t <= TimeSpan.Zero)
                throw new ValidationMetadataException($"{t} is not a positive time span (use for example '00:00:05' for five seconds).");
        }
    }

    /// <summary>One of the upload kinds (in any of its spellings, see <see cref="UploadKindNames"/>).</summary>
    public sealed class ValidateUploadKindAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            var text = ValidateTimeZoneAttribute.Text(arguments);
            if (UploadKindNames.PathName(text) == null)
                throw new ValidationMetadataException($"'{text}' is not an upload kind: use one of {string.Join(", ", UploadKindNames.Completed)}.");
        }
    }
}
