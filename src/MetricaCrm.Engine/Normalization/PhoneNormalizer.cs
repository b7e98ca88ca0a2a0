using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace MetricaCrm.Engine.Normalization
{
    /// <summary>
    /// Phones to what Metrica matches on: country code and number as digits, no '+' (79995551111).
    /// libphonenumber decides national prefixes (8 in Russia), extensions and which lengths a country's numbers have;
    /// which numbers go through is <see cref="Finish"/>'s rule (possible numbers, not only assigned ones).
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
            // The common case (a fixed-line or mobile number of the country's main region) needs neither a PhoneNumber
            // nor the library's interpreted patterns.
            string e164 = new string(digits, 0, n);
            if (NumberingPlan.Of(countryCode)?.ConfirmsValid(e164, ccLength) == true)
                return Normalized<string>.Success(e164, e164 == text ? null : "phone normalised");
            // Not confirmed: the library's full parse decides, as for every other shape. (Its parse may read the digits
            // differently, e.g. strip a national prefix after +CC, so the fast path's split is not given to Finish.)
            return ParseWithLibrary(text);
        }

        private const int MaxFastLength = 32;
        /// <summary>The fast path's digits; one buffer per thread (a normaliser may serve a reading thread and the pipeline's).</summary>
        [ThreadStatic] private static char[]? _digits;

        /// <summary>
        /// A country's numbering plan compiled from the metadata libphonenumber ships: it confirms that a number is a
        /// valid fixed-line or mobile number of the country's main region, which is exactly when the library's
        /// IsValidNumber finds that region and type (its general pattern and lengths, then the type's, and the region's
        /// leading digits where +CC is shared, as +7 is by RU and KZ). It never says invalid: whatever it cannot
        /// confirm goes to the library, so the answers are the library's while the patterns run compiled, not
        /// interpreted (the library's matching was the costliest step of an import).
        /// </summary>
        private sealed class NumberingPlan
        {
            private static readonly ConcurrentDictionary<int, NumberingPlan?> Plans = new ConcurrentDictionary<int, NumberingPlan?>();
            private readonly Regex? _leadingDigits;
            private readonly NumberPattern _general;
            private readonly NumberPattern[] _types;

            private NumberingPlan(PhoneMetadata metadata)
            {
                _leadingDigits = metadata.HasLeadingDigits ? new Regex("\\G(?:" + metadata.LeadingDigits + ")", Options) : null;
                _general = new NumberPattern(metadata.GeneralDesc);
                _types = new[] { metadata.FixedLine, metadata.Mobile }.Where(NumberPattern.Usable).Select(d => new NumberPattern(d)).ToArray();
            }

            private const RegexOptions Options = RegexOptions.Compiled | RegexOptions.CultureInvariant;

            public static NumberingPlan? Of(int countryCode) => Plans.GetOrAdd(countryCode, cc =>
            {
                var metadata = Util.GetMetadataForRegion(Util.GetRegionCodeForCountryCode(cc));
                return metadata != null && NumberPattern.Usable(metadata.GeneralDesc) ? new NumberingPlan(metadata) : null;
            });

            /// <summary>Whether the national number (<paramref name="e164"/> from <paramref name="start"/>) is surely valid.</summary>
            public bool ConfirmsValid(string e164, int start)
            {
                if (_leadingDigits != null && !_leadingDigits.IsMatch(e164, start)) return false;
                if (!_general.Matches(e164, start)) return false;
                foreach (var type in _types) if (type.Matches(e164, start)) return true;
                return false;
            }

            /// <summary>One description of the metadata: its possible lengths and its whole-number pattern.</summary>
            private sealed class NumberPattern
            {
                private readonly Regex _pattern;
                private readonly int[] _lengths;

                public NumberPattern(PhoneNumberDesc desc)
                {
                    _pattern = new Regex("\\G(?:" + desc.NationalNumberPattern + ")\\z", Options);
                    _lengths = desc.PossibleLengthList.ToArray();
                }

                public static bool Usable(PhoneNumberDesc? desc) => desc != null && desc.HasNationalNumberPattern;

                // As the library: lengths first when the description lists them (empty: the general ones already held).
                public bool Matches(string e164, int start) =>
                    (_lengths.Length == 0 || Array.IndexOf(_lengths, e164.Length - start) >= 0) && _pattern.IsMatch(e164, start);
            }
        }

        /// <summary>The library's full parse: what every shape goes through unless the fast path can take it.</summary>
        internal Normalized<string> ParseWithLibrary(string text)
        {
            // The library reads letters as keypad digits (8-800-FLOWERS): from a CRM that is a typo or a note, and the
            // digits it makes are somebody else's number. Letters may only name an extension at the end (доб. 123).
            if (LettersOutsideExtension(text) is string letters)
                return Normalized<string>.Fail("InvalidPhone", $"a phone number of digits: '{letters}' is not part of one (letters are never read as keypad digits)");
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

        private static readonly Regex Extension = new Regex(@"(?:доб(?:авочный)?|ext(?:ension)?|x)\.?\s*\d+\s*$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled);

        /// <summary>The first run of letters in <paramref name="text"/> that is not an extension marker at its end, or null.</summary>
        private static string? LettersOutsideExtension(string text)
        {
            var ext = Extension.Match(text);
            int end = ext.Success ? ext.Index : text.Length;
            for (int i = 0; i < end; i++)
            {
                if (!char.IsLetter(text[i])) continue;
                int j = i;
                while (j < end && char.IsLetter(text[j])) j++;
                return text.Substring(i, j - i);
            }
            return null;
        }

        /// <summary>
        /// The rule for every phone (the phones Metrica matches on and a call's PhoneNumber): a number of a length the
        /// country's plan allows, with its area code (libphonenumber's IsPossibleNumber, IS_POSSIBLE), whether or not
        /// the library lists its range as assigned (IsValidNumber). Why: Metrica's rule is "digits with a country code", and its
        /// own examples are numbers in no assigned range (+70123456789 for calls, ru/management/calls.md;
        /// 73449932378 for contacts, uploadContactJson_1.md). A possible but unassigned number matches nobody, which
        /// costs nothing; refusing it would refuse the docs' examples and every number of a range the library's
        /// metadata does not list yet. A local-only number (no area code), a wrong length, an unknown country code and
        /// a mask placeholder outside every assigned range (one digit repeated: +7 (000) 000-00-00) are refused: they
        /// are nobody's number.
        /// </summary>
        private static Normalized<string> Finish(PhoneNumber number, string text, bool hasExtension)
        {
            bool valid = Util.IsValidNumber(number);
            if (!valid)
            {
                var possible = Util.IsPossibleNumberWithReason(number);
                if (possible != PhoneNumberUtil.ValidationResult.IS_POSSIBLE)
                    return Normalized<string>.Fail("InvalidPhone", Expected(possible, number));
            }
            string national = Util.GetNationalSignificantNumber(number);
            // Only where the plan does not confirm the number: +7 999 999-99-99 is a valid (and sold) mobile number.
            if (!valid && national.Length > 0 && national.Trim(national[0]).Length == 0)
                return Normalized<string>.Fail("InvalidPhone", $"a phone number, not a placeholder ({national.Length} times '{national[0]}' after the country code)");

            // E.164 without '+': country code and national significant number (leading zeros kept, as in Italy).
            string e164 = number.CountryCode.ToString(System.Globalization.CultureInfo.InvariantCulture) + national;
            string? note = !valid
                ? $"possible number kept: +{number.CountryCode} number in no range libphonenumber lists as assigned (Metrica needs only digits with a country code)"
                : e164 == text ? null : hasExtension ? "phone normalised, extension dropped" : "phone normalised";
            return Normalized<string>.Success(e164, note);
        }

        private static string Expected(PhoneNumberUtil.ValidationResult reason, PhoneNumber number)
        {
            string plan = Util.GetRegionCodeForCountryCode(number.CountryCode) is string r && r != "ZZ" ? $"the {r} numbering plan" : $"the +{number.CountryCode} numbering plan";
            switch (reason)
            {
                case PhoneNumberUtil.ValidationResult.INVALID_COUNTRY_CODE:
                    return $"a phone number with a country code that exists (+{number.CountryCode} is none)";
                case PhoneNumberUtil.ValidationResult.IS_POSSIBLE_LOCAL_ONLY:
                    return $"a phone number with its area code ({plan}: this is a local number only)";
                default: // too short, too long, or a length between the plan's lengths
                    string length = reason == PhoneNumberUtil.ValidationResult.TOO_SHORT ? ", too short"
                        : reason == PhoneNumberUtil.ValidationResult.TOO_LONG ? ", too long" : "";
                    return $"a phone number of a length {plan} allows (this one has {Util.GetNationalSignificantNumber(number).Length} digits after +{number.CountryCode}{length})";
            }
        }

        /// <summary>
        /// Splits the dominant shapes into country code and national number without the library's general parser,
        /// which was the costliest step of an import: "+CC ..." with only spaces, dashes, dots and brackets, and for
        /// Russia "8 ..." or ten digits. What goes through is still decided by <see cref="Finish"/>; every other
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
