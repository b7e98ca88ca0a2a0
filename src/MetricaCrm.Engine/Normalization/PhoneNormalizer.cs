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
            var digits = _digits ??= new char[MaxFastLength + 1];
            if (!FastDigits(text, digits, out int countryCode, out int ccLength, out int n)) return ParseWithLibrary(text);
            // The common case, a Russian mobile, needs neither a PhoneNumber nor the library's pattern matching.
            if (countryCode == 7 && ccLength == 1 && n == 11 && digits[1] == '9' && RussianMobilesAreNineAndNineDigits)
            {
                string e164 = new string(digits, 0, n);
                return Normalized<string>.Success(e164, e164 == text ? null : "phone normalised");
            }
            return Finish(Build(digits, countryCode, ccLength, n), text, hasExtension: false);
        }

        private const int MaxFastLength = 32;
        /// <summary>The fast path's digits; one buffer per thread (a normaliser may serve a reading thread and the pipeline's).</summary>
        [ThreadStatic] private static char[]? _digits;

        /// <summary>
        /// Whether every Russian number of ten digits starting with 9 is valid (a mobile, "9\d{9}" in libphonenumber's
        /// metadata) and +7 belongs to Russia first: then IsValidNumber need not run its patterns for them. Decided
        /// from the metadata the library ships, so a metadata change turns the shortcut off rather than changing answers.
        /// </summary>
        private static readonly bool RussianMobilesAreNineAndNineDigits = CheckRussianMobiles();

        private static bool CheckRussianMobiles()
        {
            var ru = Util.GetMetadataForRegion("RU");
            return ru != null && Util.GetRegionCodeForCountryCode(7) == "RU" && ru.Mobile?.NationalNumberPattern == "9\\d{9}"
                && Util.IsValidNumber(Build("79000000000".ToCharArray(), 7, 1, 11)) && Util.IsValidNumber(Build("79999999999".ToCharArray(), 7, 1, 11));
        }

        /// <summary>The library's full parse: what every shape goes through unless the fast path can take it.</summary>
        internal Normalized<string> ParseWithLibrary(string text)
        {
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
            return Finish(number, text, number.HasExtension);
        }

        private static Normalized<string> Finish(PhoneNumber number, string text, bool hasExtension)
        {
            if (!Util.IsValidNumber(number))
                return Normalized<string>.Fail("InvalidPhone", $"a phone number that exists (the {Util.GetRegionCodeForNumber(number) ?? "+" + number.CountryCode} numbering plan rejects it)");

            // E.164 without '+': country code and national significant number (leading zeros kept, as in Italy).
            string e164 = number.CountryCode.ToString(System.Globalization.CultureInfo.InvariantCulture) + Util.GetNationalSignificantNumber(number);
            string? note = e164 == text ? null : hasExtension ? "phone normalised, extension dropped" : "phone normalised";
            return Normalized<string>.Success(e164, note);
        }

        /// <summary>
        /// Splits the dominant shapes into country code and national number without the library's general parser,
        /// which was the costliest step of an import: "+CC ..." with only spaces, dashes, dots and brackets, and for
        /// Russia "8 ..." or ten digits. Validity is still decided by libphonenumber (IsValidNumber); every other
        /// shape (extensions, letters, other regions' trunk prefixes) returns null and takes the full parse.
        /// A unit test holds both paths to the same answers.
        /// </summary>
        internal PhoneNumber? TryFastPath(string text)
        {
            var digits = new char[MaxFastLength + 1];
            return FastDigits(text, digits, out int countryCode, out int ccLength, out int n) ? Build(digits, countryCode, ccLength, n) : null;
        }

        /// <summary>
        /// The digits of a fast-path shape into <paramref name="digits"/>, as country code and national number (a
        /// Russian "8 ..." or ten-digit number is rewritten to start with 7): false for every other shape.
        /// </summary>
        private bool FastDigits(string text, char[] digits, out int countryCode, out int ccLength, out int n)
        {
            countryCode = ccLength = n = 0;
            if (text.Length == 0 || text.Length > MaxFastLength) return false;
            bool plus = false;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c >= '0' && c <= '9') digits[n++] = c;
                else if (c == '+' && n == 0 && !plus) plus = true;
                else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '\u00A0') continue;
                else return false;
            }
            if (n < 8 || n > 15) return false;
            if (plus)
            {
                for (ccLength = 1; ccLength <= 3; ccLength++)
                {
                    countryCode = countryCode * 10 + (digits[ccLength - 1] - '0');
                    // Country calling codes are prefix-free: the first known one is the one ("ZZ" = unknown).
                    if (Util.GetRegionCodeForCountryCode(countryCode) != "ZZ") break;
                }
                if (ccLength > 3 || digits[ccLength] == '0') return false; // leading zeros in the national number: let the library decide
            }
            // Russia: trunk prefix 8, but "8 10" is the international prefix (810), which only the library reads right.
            else if (_defaultRegion == "RU" && n == 11 && digits[0] == '8' && digits[1] >= '2') { countryCode = 7; ccLength = 1; digits[0] = '7'; }
            else if (_defaultRegion == "RU" && n == 10 && digits[0] >= '2' && digits[0] != '8')
            {
                for (int i = n; i > 0; i--) digits[i] = digits[i - 1];
                digits[0] = '7';
                n++;
                countryCode = 7;
                ccLength = 1;
            }
            else return false;
            return n - ccLength >= 4 && n - ccLength <= 14;
        }

        private static PhoneNumber Build(char[] digits, int countryCode, int ccLength, int n)
        {
            ulong national = 0;
            for (int i = ccLength; i < n; i++) national = national * 10 + (ulong)(digits[i] - '0');
            return new PhoneNumber.Builder().SetCountryCode(countryCode).SetNationalNumber(national).Build();
        }
    }
}
