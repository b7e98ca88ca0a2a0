using System;
using PhoneNumbers;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>
    /// Phones to what Metrica matches on: country code and number as digits, no '+' (79995551111).
    /// libphonenumber decides validity, national prefixes (8 in Russia) and extensions; this class only frames it.
    /// </summary>
    public sealed class PhoneNormalizer
    {
        private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();
        private readonly string _defaultRegion;

        public PhoneNormalizer(string defaultRegion = "RU")
        {
            _defaultRegion = defaultRegion.ToUpperInvariant();
            if (!Util.GetSupportedRegions().Contains(_defaultRegion))
                throw new ArgumentException($"'{defaultRegion}' is not a region libphonenumber knows (use a two-letter code such as RU, KZ, BY).", nameof(defaultRegion));
        }

        public string DefaultRegion => _defaultRegion;

        public Normalized<string> Normalize(string raw)
        {
            string text = raw.Trim();
            // "00" is the international prefix in most of the world but not in Russia (810), where exports still use it.
            if (text.StartsWith("00", StringComparison.Ordinal)) text = "+" + text.Substring(2);
            PhoneNumber number;
            try
            {
                number = Util.Parse(text, _defaultRegion);
            }
            catch (NumberParseException)
            {
                return Normalized<string>.Fail("InvalidPhone", $"a phone number (with country code, or a {_defaultRegion} number)");
            }
            if (!Util.IsValidNumber(number))
                return Normalized<string>.Fail("InvalidPhone", $"a phone number that exists ({Util.GetRegionCodeForNumber(number) ?? "no region"} numbering plan rejects it)");

            string e164 = Util.Format(number, PhoneNumberFormat.E164).Substring(1);
            string? note = e164 == text ? null : number.HasExtension ? "phone normalised, extension dropped" : "phone normalised";
            return Normalized<string>.Success(e164, note);
        }
    }
}
