using MetricaCrm.Engine.Calls;
using MetricaCrm.Engine.Contacts;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Normalization;
using MetricaCrm.Engine.OfflineConversions;
using MetricaCrm.Engine.Orders;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>
/// Which phones go through (possible numbers, Metrica's own examples among them), and the one identifier rule: a bad
/// identifier beside usable ones is dropped with its location and the record kept; a record left with none is rejected.
/// </summary>
public sealed class IdentifierRuleTests
{
    private static NormalizerOptions Options(bool hash = false) =>
        new(new PhoneNormalizer("RU"), new CrmDateTimeParser(TimeZoneInfo.Utc), hashIdentifiers: hash, explain: true);

    private static ImportItem<T> Read<T>(RecordNormalizer<T> normalizer, params (string Name, string? Value)[] row) where T : class =>
        new ObjectRecords<T>(normalizer).Normalize(row.Select(c => c.Name).ToArray(), row.Select(c => c.Value).ToArray(), "orders.csv", 7);

    private static ImportItem<CrmOrder> Order(string? clientIds, string? emails, string? phones, string created = "2026-10-02 10:00", bool hash = false) =>
        Read(new OrderNormalizer(Options(hash)), ("id", "A-1"), ("create_date_time", created), ("client_ids", clientIds), ("emails", emails), ("phones", phones));

    /// <summary>Metrica's documentation examples: +70123456789 (calls, ru/management/calls.md), 73449932378 and
    /// 78005553535 (contacts, uploadContactJson_1.md), 79876543210 (simple orders, ru/data-import/simple-orders-prep.md).</summary>
    [Theory]
    [InlineData("+70123456789", "70123456789")]
    [InlineData("73449932378", "73449932378")]
    [InlineData("78005553535", "78005553535")]
    [InlineData("79876543210", "79876543210")]
    public void The_documentation_example_numbers_go_through_as_written(string raw, string expected)
    {
        var r = new PhoneNormalizer("RU").Normalize(raw);
        Assert.True(r.Ok, r.Error);
        Assert.Equal(expected, r.Value);
    }

    [Fact]
    public void A_possible_number_in_no_assigned_range_is_kept_and_Explain_says_so()
    {
        var r = new PhoneNormalizer("RU").Normalize("73449932378");
        Assert.Contains("possible number kept", r.Note);
        Assert.Null(new PhoneNormalizer("RU").Normalize("79995551111").Note); // assigned and already in Metrica's form
    }

    [Theory]
    [InlineData("12345", "too short")]
    [InlineData("+7 999 555 11 112", "11 digits after +7")]
    [InlineData("8 999 555", "area code")]
    [InlineData("+7 (000) 000-00-00", "placeholder")]
    [InlineData("+7 (111) 111-11-11", "placeholder")]
    public void Numbers_that_are_nobodys_are_refused_with_why(string raw, string why)
    {
        var r = new PhoneNormalizer("RU").Normalize(raw);
        Assert.Equal("InvalidPhone", r.Rule);
        Assert.Contains(why, r.Error);
    }

    [Fact]
    public void One_bad_phone_of_three_is_dropped_with_its_location_and_the_order_kept()
    {
        var item = Order(null, null, "+7 999 555-11-11, 12345, 8 (912) 345-67-89");
        Assert.Null(item.Rejection);
        Assert.Equal(new[] { "79995551111", "79123456789" }, item.Record!.Phones);
        var dropped = Assert.Single(item.Dropped!.Faults);
        Assert.Equal(("InvalidPhone", "phones", "12345"), (dropped.Rule, dropped.Column, dropped.Value));
        Assert.Equal(("orders.csv", 7L), (item.Dropped.Source, item.Dropped.Line));
        Assert.StartsWith("orders.csv, line 7: left out column 'phones', value '12345': a phone number", item.Dropped.Message);
        Assert.EndsWith("(this one has 5 digits after +7, too short) [InvalidPhone]; the record is kept without it", item.Dropped.Message);
        Assert.Contains(item.Explanation!, e => e.StartsWith("phones: '12345' left out:") && e.EndsWith("[InvalidPhone]"));
    }

    [Fact]
    public void A_bad_email_beside_a_good_phone_and_a_bad_ClientID_beside_a_phone_are_dropped()
    {
        var email = Order(null, "ivan@@mail.ru", "+7 999 555-11-11");
        Assert.Empty(email.Record!.Emails);
        Assert.Equal(new[] { "79995551111" }, email.Record.Phones);
        Assert.Equal(("InvalidEmail", "emails"), (email.Dropped!.Faults[0].Rule, email.Dropped.Faults[0].Column));

        var clientId = Order("42", null, "+7 999 555-11-11");
        Assert.Empty(clientId.Record!.ClientIds);
        Assert.Equal(("InvalidClientId", "42"), (clientId.Dropped!.Faults[0].Rule, clientId.Dropped.Faults[0].Value));
    }

    [Fact]
    public void A_row_whose_only_identifier_is_bad_is_rejected_with_its_located_error_as_before()
    {
        var item = Order(null, null, "12345");
        Assert.Null(item.Record);
        Assert.Null(item.Dropped);
        var fault = Assert.Single(item.Rejection!.Faults);
        Assert.Equal(("InvalidPhone", "phones", "12345"), (fault.Rule, fault.Column, fault.Value));
        // Every identifier bad: all of them in the error.
        Assert.Equal(new[] { "InvalidClientId", "InvalidEmail", "InvalidPhone" }, Order("42", "x@", "12345").Rejection!.Faults.Select(f => f.Rule));
        Assert.Equal("NoIdentifier", Order(null, null, null).Rejection!.Rule);
    }

    /// <summary>A client_uniq_id is an order's link through its contact, not a visitor identifier: a bad phone beside it alone rejects the row.</summary>
    [Fact]
    public void A_CRM_client_id_makes_an_order_but_does_not_keep_one_whose_only_phone_is_bad()
    {
        ImportItem<CrmOrder> Detailed(string? phones) =>
            Read(new OrderNormalizer(Options()), ("id", "D-1"), ("create_date_time", "2026-10-02 10:00"), ("client_uniq_id", "K-1"), ("phones", phones));
        Assert.Equal("K-1", Detailed(null).Record!.ClientUniqId);
        Assert.Equal("InvalidPhone", Detailed("12345").Rejection!.Rule);
    }

    [Fact]
    public void A_row_rejected_for_another_reason_names_its_bad_identifiers_too()
    {
        var item = Order(null, "a@b.ru", "12345", created: "31.02.2026 10:00");
        Assert.Null(item.Record);
        Assert.Equal(new[] { "InvalidDateTime", "InvalidPhone" }, item.Rejection!.Faults.Select(f => f.Rule));
    }

    [Fact]
    public void With_hashing_on_the_kept_identifiers_are_hashed_and_the_bad_one_still_dropped()
    {
        var item = Order(null, "mail@yandex.ru", "12345", hash: true);
        Assert.Equal(new[] { "3c56ff8fef0f6c65b36b2d25720fe276" }, item.Record!.EmailsMd5);
        Assert.Empty(item.Record.Phones);
        Assert.Equal("InvalidPhone", item.Dropped!.Faults[0].Rule);
    }

    [Fact]
    public void Contacts_drop_a_bad_phone_beside_an_email_refuse_one_left_with_none_and_take_one_that_had_none()
    {
        ImportItem<CrmClient> Contact(string? emails, string? phones) =>
            Read(new ClientNormalizer(Options()), ("uniq_id", "C-1"), ("emails", emails), ("phones", phones));
        var kept = Contact("a@b.ru", "12345");
        Assert.Equal(new[] { "a@b.ru" }, kept.Record!.Emails);
        Assert.Equal("InvalidPhone", kept.Dropped!.Faults[0].Rule);
        Assert.Equal("InvalidPhone", Contact(null, "12345").Rejection!.Rule);
        var bare = Contact(null, null);
        Assert.Equal(("C-1", null), (bare.Record!.UniqId, bare.Dropped));
    }

    [Fact]
    public void Conversions_and_calls_drop_a_bad_id_beside_a_good_one_and_a_call_goes_without_a_bad_number()
    {
        var conversion = Read(new ConversionNormalizer(Options()), ("ClientId", "12"), ("Yclid", "5432198765"), ("Target", "shop_purchase"), ("DateTime", "1481718166"));
        Assert.Equal((null, "5432198765"), (conversion.Record!.ClientId, conversion.Record.Yclid));
        Assert.Equal(("InvalidClientId", "ClientId"), (conversion.Dropped!.Faults[0].Rule, conversion.Dropped.Faults[0].Column));

        ImportItem<CrmCall> Call(string? clientId, string number) =>
            Read(new CallNormalizer(Options()), ("ClientId", clientId), ("DateTime", "1481718166"), ("PhoneNumber", number));
        var call = Call("133591247640966458", "12345");
        Assert.Equal(("133591247640966458", null), (call.Record!.ClientId, call.Record.PhoneNumber));
        Assert.Equal(("InvalidPhone", "PhoneNumber", "12345"), (call.Dropped!.Faults[0].Rule, call.Dropped.Faults[0].Column, call.Dropped.Faults[0].Value));
        Assert.Equal("+70123456789", Call("133591247640966458", "+70123456789").Record!.PhoneNumber);
        // No visitor id: rejected, with the number's error too.
        Assert.Equal(new[] { "InvalidPhone", "InvalidClientId" }, Call("12", "12345").Rejection!.Faults.Select(f => f.Rule));
        Assert.Equal("NoIdentifier", Call(null, "+70123456789").Rejection!.Rule);
    }
}
