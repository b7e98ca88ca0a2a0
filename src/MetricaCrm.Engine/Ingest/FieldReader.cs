using System;
using System.Collections.Generic;
using System.Linq;
using System.Globalization;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.Upload;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>Settings shared by every row of one import.</summary>
    public sealed class NormalizerOptions
    {
        public NormalizerOptions(PhoneNormalizer phones, CrmDateTimeParser dates, bool hashIdentifiers = false, bool explain = false)
        {
            Phones = phones;
            NormalizePhone = phones.Normalize;
            Dates = dates;
            HashIdentifiers = hashIdentifiers;
            Explain = explain;
        }

        public PhoneNormalizer Phones { get; }
        /// <summary><see cref="Phones"/>' Normalize as a delegate made once, not once per row.</summary>
        internal Func<string, Normalized<string>> NormalizePhone { get; }
        public CrmDateTimeParser Dates { get; }
        /// <summary>Replace raw phones and e-mails by their MD5 so no personal data leaves the machine.</summary>
        public bool HashIdentifiers { get; }
        /// <summary>Record which rule changed which value (for -Explain).</summary>
        public bool Explain { get; }
    }

    /// <summary>
    /// Reads the typed fields of one projected row (values in schema order), collecting every fault and,
    /// when asked, an explanation of each change. One instance per row.
    /// </summary>
    public sealed class FieldReader
    {
        private readonly ColumnBinding _binding;
        private readonly string?[] _values;
        private readonly NormalizerOptions _options;

        public FieldReader(ColumnBinding binding, string?[] values, NormalizerOptions options)
        {
            _binding = binding;
            _values = values;
            _options = options;
        }

        private static readonly char[] ListSeparators = { ',', ';' };
        private const int MinClientIdDigits = 10;
        private static readonly System.Text.RegularExpressions.Regex ScientificNumber = new System.Text.RegularExpressions.Regex(
            @"^\s*\d+([.,]\d+)?[eE][+-]?\d+\s*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        private List<RowFault>? _faults;
        /// <summary>The faults (also in <see cref="_faults"/>) of values the record can do without: see <see cref="SettleIdentifiers"/>.</summary>
        private List<RowFault>? _droppable;
        /// <summary>Hashes found in the phones or e-mails columns: they pass through as *_md5 values.</summary>
        private List<string>? _emailHashes, _phoneHashes;

        public IReadOnlyList<RowFault> Faults => _faults ?? (IReadOnlyList<RowFault>)Array.Empty<RowFault>();
        public List<string>? Explanation { get; private set; }
        /// <summary>Bad values left out of a record that is kept (settled by <see cref="SettleIdentifiers"/>); empty otherwise.</summary>
        public IReadOnlyList<RowFault> Dropped { get; private set; } = Array.Empty<RowFault>();

        private int Field(FieldSpec field) => _binding.Schema.IndexOf(field);

        public string? Raw(FieldSpec name)
        {
            int i = Field(name);
            if (i < 0) return null;
            var v = _values[i];
            return string.IsNullOrWhiteSpace(v) ? null : v;
        }

        /// <summary>Free text: trimmed, at most 4,096 characters, no control characters but tabs and line breaks.</summary>
        public string? Text(FieldSpec name)
        {
            var v = Raw(name)?.Trim();
            var fault = TextRules.CheckText(name.Name, v);
            if (fault != null) { Fault(name, fault.Rule, fault.Value, fault.Expected); return null; }
            return v;
        }

        /// <summary>An id (order, client, company): trimmed, at most 255 characters, no control characters.</summary>
        public string? Identifier(FieldSpec name)
        {
            var v = Raw(name)?.Trim();
            var fault = TextRules.CheckIdentifier(name.Name, v);
            if (fault != null) { Fault(name, fault.Rule, fault.Value, fault.Expected); return null; }
            return v;
        }

        /// <summary>An id the site gave the visitor or the purchase (UserId, PurchaseId): <see cref="Identifier(FieldSpec)"/>'s rules, a bad one droppable.</summary>
        public string? VisitorId(FieldSpec name)
        {
            var v = Raw(name)?.Trim();
            var fault = TextRules.CheckIdentifier(name.Name, v);
            if (fault != null) { Drop(name, fault.Rule, fault.Value, fault.Expected); return null; }
            return v;
        }

        public string RequiredIdentifier(FieldSpec name)
        {
            if (Raw(name) == null) Fault(name, "MissingValue", null, $"a value: {name.Name} is required");
            return Identifier(name) ?? "";
        }

        public DateTimeOffset? DateTime(FieldSpec name, bool required)
        {
            var raw = Raw(name);
            if (raw == null)
            {
                if (required) Fault(name, "MissingValue", null, $"a value: {name.Name} is required");
                return null;
            }
            var text = Unslashed(name, raw);
            if (text == null) return null;
            var r = _options.Dates.Parse(text);
            // An optional date-time before 1970 (a CRM's 01.01.1900 for "never"): Metrica cannot take it, the rest of
            // the record it can. A required one (an order's creation) is the record's meaning: its row is rejected.
            if (!required && r.Rule == "DateBefore1970") return LeaveOut(name, raw, r);
            return TakeValue(name, raw, r, v => v.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture));
        }

        /// <summary>A calendar date (a birth date): its date part as written, no time zone applied.</summary>
        public System.DateTime? Date(FieldSpec name)
        {
            var raw = Raw(name);
            if (raw == null) return null;
            var text = Unslashed(name, raw);
            if (text == null) return null;
            var r = _options.Dates.ParseDate(text);
            // A birth date is optional and read as written: one Metrica cannot take (before 1970, or not yet come) is
            // left out with a warning, and the contact's phones and e-mails are still sent. An unreadable one stays an
            // error: it may be a column read wrongly, which the user must see before anything is sent.
            if (r.Rule == "DateBefore1970" || r.Rule == "FutureDateTime") return LeaveOut(name, raw, r);
            return TakeValue(name, raw, r, v => v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        /// <summary>
        /// A d/m/y or m/d/y value (04/12/2026 9:05:00) as the d.M.yyyy text the parser reads, in the order its column's
        /// values settle (a day over 12 in any of its first rows), else in the order of the culture when it writes dates
        /// with '/' (said in a warning: a reading no value confirmed); null, with an AmbiguousDate fault, when neither
        /// settles it. Any other value is returned as it is.
        /// </summary>
        private string? Unslashed(FieldSpec name, string raw)
        {
            string v = raw.Trim();
            if (v.IndexOf('/') < 0 || !SlashDateColumn.TrySplit(v, out _, out _, out _) || _options.Dates.IsExportForm(v)) return raw;
            int f = Field(name);
            var column = _binding.SlashDates(f);
            string columnName = _binding.ColumnName(f);
            var order = column.Order;
            if (order == SlashDateOrder.Contradictory)
            {
                Fault(name, "AmbiguousDate", raw, $"dates in one order: the column has both '{column.DayFirstExample}' (day first) and '{column.MonthFirstExample}' (month first); " +
                    "export the column as dd.MM.yyyy or yyyy-MM-dd");
                return null;
            }
            if (order == SlashDateOrder.Unsettled)
            {
                order = _options.Dates.CultureSlashOrder;
                if (order == SlashDateOrder.Unsettled)
                {
                    Fault(name, "AmbiguousDate", raw, $"a date whose day and month are certain: '{v}' may be dd/MM or MM/dd, no value in the column's first rows has a day over 12, " +
                        $"and culture '{_options.Dates.CultureName}' writes no dates with '/'");
                    return null;
                }
                _binding.SayOnce("slash:" + f, true, $"column '{columnName}': dates such as '{v}' read as {(order == SlashDateOrder.DayFirst ? "dd/MM/yyyy" : "MM/dd/yyyy")}, " +
                    $"the order of culture '{_options.Dates.CultureName}': no value in the column's first rows has a day over 12 to settle it");
            }
            else
            {
                _binding.SayOnce("slash:" + f, false, order == SlashDateOrder.DayFirst
                    ? $"column '{columnName}': dates read as dd/MM/yyyy: its values such as '{column.DayFirstExample}' have a day over 12 first"
                    : $"column '{columnName}': dates read as MM/dd/yyyy: its values such as '{column.MonthFirstExample}' have a day over 12 second");
            }
            return SlashDateColumn.ToDotted(v, order == SlashDateOrder.DayFirst)!;
        }

        /// <summary>Optional values Metrica cannot take (a birth date before 1970), left out of the record: they join
        /// <see cref="Dropped"/> once <see cref="SettleIdentifiers"/> keeps the record.</summary>
        private List<RowFault>? _leftOut;

        private TValue? LeaveOut<TValue>(FieldSpec name, string raw, Normalized<TValue> r) where TValue : struct
        {
            (_leftOut ??= new List<RowFault>()).Add(new RowFault(r.Rule!, ColumnOf(name), raw, r.Error!));
            return null;
        }

        /// <summary>Products as name:quantity pairs (Product A:1,Product B:2), names of the product catalogue.</summary>
        /// <param name="into">The list to add to (the record's own); null: a new one.</param>
        public List<Orders.OrderProduct> Products(FieldSpec name, List<Orders.OrderProduct>? into = null)
        {
            var list = into ?? new List<Orders.OrderProduct>();
            var raw = Raw(name);
            if (raw == null) return list;
            foreach (var part in raw.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries))
            {
                var item = part.Trim();
                int colon = item.LastIndexOf(':');
                string product = colon < 0 ? item : item.Substring(0, colon).Trim();
                long quantity = 1;
                if (colon >= 0 && (!long.TryParse(item.Substring(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out quantity) || quantity < 1))
                {
                    Fault(name, "InvalidProduct", item, "product:quantity with a whole quantity of 1 or more");
                    continue;
                }
                if (!Upload.AttributeNames.IsValid(product))
                {
                    Fault(name, "InvalidProduct", item, "a product name of the catalogue: letters, digits, '_', '-' or ':' (1-255 characters)");
                    continue;
                }
                list.Add(new Orders.OrderProduct(product, quantity));
            }
            return list;
        }

        /// <summary>The custom attributes the schema carries (fields from <see cref="RecordSchema.AttributeStart"/> on), non-empty ones.</summary>
        /// <param name="into">The dictionary to add to (the record's own); null: a new one.</param>
        public Dictionary<string, string> Attributes(Dictionary<string, string>? into = null)
        {
            var result = into ?? new Dictionary<string, string>(StringComparer.Ordinal);
            var fields = _binding.Schema.Fields;
            for (int f = _binding.Schema.AttributeStart; f < fields.Count; f++)
            {
                var v = Text(fields[f]);
                if (v != null) result[fields[f].Name] = v;
            }
            return result;
        }

        /// <summary>A Yandex Direct click id: digits (yclid values are large whole numbers).</summary>
        public string? Yclid(FieldSpec name)
        {
            var v = Raw(name)?.Trim();
            if (v == null) return null;
            foreach (char c in v)
                if (c < '0' || c > '9') { Drop(name, "InvalidYclid", v, "a yclid: the whole number Yandex Direct adds to ad links"); return null; }
            if (v.Length > 30) { Drop(name, "InvalidYclid", v, "a yclid of at most 30 digits"); return null; }
            return v;
        }

        /// <summary>A yes/no column: 1/0, true/false, yes/no, да/нет.</summary>
        public bool? Flag(FieldSpec name)
        {
            var v = Raw(name)?.Trim().ToLowerInvariant();
            switch (v)
            {
                case null: return null;
                case "1": case "true": case "yes": case "y": case "да": case "д": return true;
                case "0": case "false": case "no": case "n": case "нет": case "н": return false;
                default:
                    Fault(name, "InvalidFlag", v, "1 or 0 (yes or no)");
                    return null;
            }
        }

        /// <summary>A duration in whole seconds; 90, 1:30 and 00:01:30 are the same.</summary>
        public long? Seconds(FieldSpec name)
        {
            var v = Raw(name)?.Trim();
            if (v == null) return null;
            if (long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return seconds;
            var parts = v.Split(':');
            long total = 0;
            if (parts.Length >= 2 && parts.Length <= 3)
            {
                foreach (var p in parts)
                {
                    if (!long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) { total = -1; break; }
                    total = total * 60 + n;
                }
                if (total >= 0) return total;
            }
            Fault(name, "InvalidDuration", v, "a duration in seconds (90) or as m:ss / h:mm:ss");
            return null;
        }

        /// <summary>
        /// A called number as Metrica shows it: '+', country and area code, digits ("+70123456789", Metrica's own
        /// example, which is a possible but unassigned number: see PhoneNormalizer's rule). Metrica links a call by its
        /// visitor ids, not by this number, so a bad one is droppable: the call goes without it, with a warning.
        /// </summary>
        public string? CalledNumber(FieldSpec name)
        {
            var v = Raw(name)?.Trim();
            if (v == null) return null;
            var r = _options.Phones.Normalize(v);
            if (!r.Ok) { Drop(name, r.Rule!, v, r.Error!); return null; }
            string shown = "+" + r.Value;
            // Metrica's form keeps the '+': a note that says only "normalised" of a number written so is no news.
            if (_options.Explain && r.Note != null && (shown != v || r.Note != "phone normalised")) Explain($"{_binding.ColumnName(Field(name))}: '{v}' -> '{shown}' ({r.Note})");
            return shown;
        }

        public string? AbsoluteUrl(FieldSpec name)
        {
            var v = Text(name);
            if (v == null) return null;
            if (!Uri.TryCreate(v, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                Fault(name, "InvalidUrl", v, "an absolute http(s) address");
                return null;
            }
            return v;
        }

        /// <param name="currency">The row's currency field: a currency mark written with the amount must be that currency.</param>
        /// <param name="documentedPointHeader">A header whose format Metrica documents with '.' as the decimal mark
        /// (offline conversions' Price): in a column so headed, 1.500 is 1.5.</param>
        public decimal? Money(FieldSpec name, FieldSpec currency, string? documentedPointHeader = null)
        {
            var raw = Raw(name);
            if (raw == null) return null;
            var amount = MoneyParser.Parse(raw, _options.Explain, out var marked);
            if (amount.Rule == "AmbiguousAmount")
            {
                // 1.500 alone may be 1500 or 1.5: the column's format or its other values may settle it.
                int f = Field(name);
                bool documented = documentedPointHeader != null && _binding.SourceIndex[f] >= 0
                    && HeaderKey.Of(_binding.ColumnName(f)) == HeaderKey.Of(documentedPointHeader);
                var column = documented
                    ? DecimalConvention.DocumentedPoint($"the column is Metrica's {documentedPointHeader}, whose format writes '.' as the decimal mark")
                    : _binding.Decimals(f);
                amount = MoneyParser.Parse(raw, withNote: true, column, out marked);
                if (amount.Ok)
                    _binding.SayOnce("decimals:" + f, false, $"column '{_binding.ColumnName(f)}': {amount.Note} (and so every such amount of the column)");
            }
            if (amount.Ok && marked != null && MarkContradicts(marked, currency) is string expected)
            {
                Fault(name, "CurrencyMismatch", raw, expected);
                return null;
            }
            return TakeValue(name, raw, amount, v => v.ToString(CultureInfo.InvariantCulture));
        }

        /// <summary>What the amount should be when its mark is not the row's currency (which is what Metrica stores),
        /// or null. A row without a currency is RUB to Metrica (the docs' example), so only a ruble mark fits it.</summary>
        private string? MarkContradicts(string marked, FieldSpec currency)
        {
            var rowRaw = Raw(currency);
            if (rowRaw == null)
                return marked == "RUB" ? null
                    : $"an amount without a currency mark, or a row with a currency column: the amount is marked {marked}, and a row without a currency is RUB to Metrica";
            var row = CurrencyCodes.Normalize(rowRaw);
            if (!row.Ok) return null; // the currency's own error names it
            return row.Value == marked ? null : $"an amount in {row.Value}, the row's currency; this one is marked {marked}";
        }

        public string? Currency(FieldSpec name)
        {
            var raw = Raw(name);
            return raw == null ? null : Take(name, raw, CurrencyCodes.Normalize(raw), v => v);
        }

        public string[] Phones(FieldSpec name) => Identifiers(name, _options.NormalizePhone, ref _phoneHashes);

        public string[] Emails(FieldSpec name) => Identifiers(name, EmailNormalizer.Normalize, ref _emailHashes);

        /// <summary>Every value of a multi-value cell, normalised and de-duplicated; values that already are MD5 hashes go to <paramref name="hashes"/>.</summary>
        private string[] Identifiers(FieldSpec name, Func<string, Normalized<string>> normalize, ref List<string>? hashes)
        {
            var raw = Raw(name);
            if (raw == null) return Array.Empty<string>();
            var single = MultiValue.Single(raw);
            if (single != null) return One(single.Length == 0 ? null : Identifier(name, single, normalize, ref hashes));
            var result = new List<string>(2);
            foreach (var part in MultiValue.Split(raw))
            {
                var v = Identifier(name, part, normalize, ref hashes);
                if (v != null && !result.Contains(v)) result.Add(v);
            }
            return result.ToArray();
        }

        /// <summary>One value of a phones or e-mails cell: normalised, or null when it was a hash (kept aside) or bad (droppable).</summary>
        private string? Identifier(FieldSpec name, string part, Func<string, Normalized<string>> normalize, ref List<string>? hashes)
        {
            if (IdentifierHash.IsMd5Hex(part)) { (hashes ??= new List<string>()).Add(part.ToLowerInvariant()); return null; }
            var r = normalize(part);
            if (!r.Ok) { Drop(name, r.Rule!, part, r.Error!); return null; }
            return Take(name, part, r, x => x);
        }

        /// <summary>A cell of one value (the usual case) without a list and its copy.</summary>
        private static string[] One(string? value) => value == null ? Array.Empty<string>() : new[] { value };

        public string[] ClientIds(FieldSpec name)
        {
            var raw = Raw(name);
            if (raw == null) return Array.Empty<string>();
            // Excel's re-save of a long number: 1,76405E+18 (a comma decimal), which a list split would read as ClientID
            // 1 and a broken '76405E+18'. The digits are gone: say so for the whole cell.
            if (ScientificNumber.IsMatch(raw))
            {
                Drop(name, "InvalidClientId", raw, "a ClientID as whole digits; this one was turned into scientific notation (Excel does that on a re-save) " +
                    "and its digits are lost: export the column again formatted as text");
                return Array.Empty<string>();
            }
            var single = MultiValue.Single(raw);
            if (single != null) return One(single.Length == 0 ? null : ClientId(name, single));
            var result = new List<string>(2);
            foreach (var part in MultiValue.Split(raw))
            {
                var p = ClientId(name, part);
                if (p != null && !result.Contains(p)) result.Add(p);
            }
            return result.ToArray();
        }

        private string? ClientId(FieldSpec name, string part)
        {
            string p = part.EndsWith(".0", StringComparison.Ordinal) ? part.Substring(0, part.Length - 2) : part;
            if (p.IndexOf('E') > 0 || p.IndexOf('e') > 0)
                Drop(name, "InvalidClientId", part, "a ClientID as whole digits; this one was turned into scientific notation (by Excel?) and lost digits");
            else if (p.Length == 0 || p.Length > 20 || !ulong.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id == 0)
                Drop(name, "InvalidClientId", part, "a Metrica ClientID: a positive whole number");
            // A ClientID joins a random number and the first visit's Unix time, so it has at least 10 digits; a shorter one
            // ('1', '42') is a CRM's own id or a fragment, and would match nobody.
            else if (p.Length < MinClientIdDigits)
                Drop(name, "InvalidClientId", part, $"a Metrica ClientID of {MinClientIdDigits} to 20 digits (such as 133591247640966458); a shorter number is no visitor's");
            else return p;
            return null;
        }

        public string[] Md5List(FieldSpec name)
        {
            var raw = Raw(name);
            if (raw == null) return Array.Empty<string>();
            var single = MultiValue.Single(raw);
            if (single != null) return One(single.Length == 0 ? null : Md5(name, single));
            var result = new List<string>(2);
            foreach (var part in MultiValue.Split(raw))
            {
                var v = Md5(name, part);
                if (v != null) result.Add(v);
            }
            return result.ToArray();
        }

        private string? Md5(FieldSpec name, string part)
        {
            if (IdentifierHash.IsMd5Hex(part)) return part.ToLowerInvariant();
            Drop(name, "InvalidHash", part, "an MD5 hash: 32 hexadecimal digits");
            return null;
        }

        public string[] Goals(FieldSpec name)
        {
            var raw = Raw(name);
            if (raw == null) return Array.Empty<string>();
            var result = new List<string>();
            foreach (var part in raw.Split(ListSeparators, StringSplitOptions.RemoveEmptyEntries))
            {
                var item = part.Trim();
                int colon = item.IndexOf(':');
                string goal = colon < 0 ? item : item.Substring(0, colon);
                if (!Statuses.StatusMap.IsGoalIdentifier(goal))
                {
                    Fault(name, "InvalidGoal", item, "a JS goal identifier of letters, digits, '_', '-' or '.', optionally :price");
                    continue;
                }
                if (colon >= 0)
                {
                    var price = MoneyParser.Parse(item.Substring(colon + 1));
                    if (!price.Ok) { Fault(name, "InvalidGoal", item, "goal:price with a price such as 200 or 99.5"); continue; }
                    item = goal + ":" + price.Value.ToString(CultureInfo.InvariantCulture);
                }
                result.Add(item);
            }
            return result.ToArray();
        }

        /// <summary>The e-mail and phone identifiers of a row (emails, phones, emails_md5, phones_md5), hashed as the options say.</summary>
        public (string[] Emails, string[] Phones, string[] EmailsMd5, string[] PhonesMd5) ContactIdentifiers()
        {
            string[] emails = Emails(CrmFields.Emails), phones = Phones(CrmFields.Phones);
            string[] emailsMd5 = Md5List(CrmFields.EmailsMd5), phonesMd5 = Md5List(CrmFields.PhonesMd5);
            ApplyHashing(ref emails, ref phones, ref emailsMd5, ref phonesMd5);
            return (emails, phones, emailsMd5, phonesMd5);
        }

        /// <summary>Turns raw phones and e-mails into hashes when -HashIdentifiers is on, merging hashes found in any column.</summary>
        private void ApplyHashing(ref string[] emails, ref string[] phones, ref string[] emailsMd5, ref string[] phonesMd5)
        {
            if (!_options.HashIdentifiers && _emailHashes == null && _phoneHashes == null) return;
            var em = new List<string>(emailsMd5);
            var ph = new List<string>(phonesMd5);
            if (_emailHashes != null) em.AddRange(_emailHashes);
            if (_phoneHashes != null) ph.AddRange(_phoneHashes);
            if (_options.HashIdentifiers)
            {
                foreach (var e in emails) em.Add(IdentifierHash.Md5Hex(e));
                foreach (var p in phones) ph.Add(IdentifierHash.Md5Hex(p));
                if (_options.Explain && emails.Length + phones.Length > 0) Explain("phones/emails replaced by their MD5 (identifier hashing is on)");
                emails = Array.Empty<string>();
                phones = Array.Empty<string>();
            }
            emailsMd5 = Distinct(em);
            phonesMd5 = Distinct(ph);
        }

        private static string[] Distinct(List<string> list)
        {
            if (list.Count < 2) return list.ToArray();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var result = new List<string>(list.Count);
            foreach (var x in list) if (seen.Add(x)) result.Add(x);
            return result.ToArray();
        }

        private string? Take(FieldSpec name, string raw, Normalized<string> r, Func<string, string> show) =>
            Accept(name, raw, r, show) ? r.Value : null;

        private T? TakeValue<T>(FieldSpec name, string raw, Normalized<T> r, Func<T, string> show) where T : struct =>
            Accept(name, raw, r, show) ? r.Value : (T?)null;

        private bool Accept<T>(FieldSpec name, string raw, Normalized<T> r, Func<T, string> show)
        {
            if (!r.Ok)
            {
                Fault(name, r.Rule!, raw, r.Error!);
                return false;
            }
            if (_options.Explain && r.Note != null) Explain($"{_binding.ColumnName(Field(name))}: '{raw}' -> '{show(r.Value)}' ({r.Note})");
            return true;
        }

        public void Fault(FieldSpec name, string rule, string? value, string expected) =>
            (_faults ??= new List<RowFault>()).Add(new RowFault(rule, ColumnOf(name), value, expected));

        /// <summary>The input's name of the field's column (its header), or the field's name when it has none.</summary>
        private string ColumnOf(FieldSpec field)
        {
            int i = Field(field);
            return i >= 0 ? _binding.ColumnName(i) : field.Name;
        }

        /// <summary>A bad value the record can do without (a phone, an e-mail, a ClientID, a call's number): a fault until
        /// <see cref="SettleIdentifiers"/> finds that the record keeps an identifier.</summary>
        private void Drop(FieldSpec name, string rule, string? value, string expected)
        {
            Fault(name, rule, value, expected);
            (_droppable ??= new List<RowFault>()).Add(_faults![_faults.Count - 1]);
        }

        /// <summary>
        /// The one identifier rule of every kind, applied once the record is read: a bad identifier among usable ones
        /// is left out of the record, which is kept (<see cref="Dropped"/>: a warning each, and -Explain says so); a row
        /// with no usable identifier left is rejected with the located errors of the values it had, or with
        /// NoIdentifier when it had none and <paramref name="missing"/> says one is needed. A row rejected for another
        /// reason keeps every fault in its error, so the user fixes the row once.
        /// </summary>
        /// <param name="hasIdentifier">Whether the record, as read (bad values left out), has a visitor identifier Metrica links it by.</param>
        /// <param name="missing">The NoIdentifier fault of a record that needs a visitor identifier; null when it may go
        /// without (a contact, or a detailed order with its client_uniq_id: they link through the CRM's client id).</param>
        public void SettleIdentifiers(bool hasIdentifier, RowFault? missing)
        {
            SettleDroppable(hasIdentifier, missing);
            if (_leftOut == null || _faults?.Count > 0) return;
            Dropped = Dropped.Count == 0 ? _leftOut : Dropped.Concat(_leftOut).ToList();
            if (_options.Explain)
                foreach (var d in _leftOut) Explain($"{d.Column}: {d.ShownValue} left out: {d.Expected} [{d.Rule}]");
        }

        private void SettleDroppable(bool hasIdentifier, RowFault? missing)
        {
            int droppable = _droppable?.Count ?? 0;
            if ((_faults?.Count ?? 0) > droppable) return;
            if (droppable == 0)
            {
                if (!hasIdentifier && missing != null) (_faults ??= new List<RowFault>()).Add(missing);
                return;
            }
            if (!hasIdentifier) return;
            Dropped = _droppable!;
            _faults = null;
            if (_options.Explain)
                foreach (var d in Dropped) Explain($"{d.Column}: {d.ShownValue} left out: {d.Expected} [{d.Rule}]");
        }

        /// <summary>The NoIdentifier fault of this row, located at <paramref name="field"/>'s column (see <see cref="IdentifierRule"/>).</summary>
        public RowFault NoIdentifier(FieldSpec field, string expected) => IdentifierRule.Missing(ColumnOf(field), expected);

        private void Explain(string text) => (Explanation ??= new List<string>()).Add(text);
    }
}
