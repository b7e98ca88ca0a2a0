using MetricaCrm.Engine.Calls;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.OfflineConversions;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>Offline conversions and calls: the pre-flight checks and the exact file Metrica receives.</summary>
public sealed class OfflineTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = TestDirectory.Create("metricacrm-offline-");

    public void Dispose() => Directory.Delete(_dir, true);

    private static readonly IReadOnlyList<MetricaGoal> Goals = new[]
    {
        new MetricaGoal { Id = 4711, Name = "Покупка в магазине", Type = "action", Identifiers = new[] { "shop_purchase" } },
    };

    private static CrmConversion Conversion(string target = "shop_purchase", double hoursAgo = 5, string? clientId = "133591247640966458") => new()
    {
        ClientId = clientId, Target = target, DateTime = Now.AddHours(-hoursAgo), Price = 1234.5m, Currency = "RUB", SourceFile = "sales.csv", SourceLine = 7,
    };

    private static OfflineConversionsKind Kind(TimeSpan? maxAge = null) => new(new OfflineOptions { MaxAge = maxAge }, Goals, () => Now);

    [Fact]
    public void A_goal_name_or_numeric_id_in_Target_names_the_identifier_to_use()
    {
        var byName = Kind().Check(Conversion("Покупка в магазине"));
        Assert.Equal("GoalNameInsteadOfIdentifier", byName?.Rule);
        Assert.Contains("'shop_purchase'", byName!.Expected);
        Assert.Equal("GoalNameInsteadOfIdentifier", Kind().Check(Conversion("4711"))?.Rule);
        Assert.Equal("UnknownGoal", Kind().Check(Conversion("nothing_like_it"))?.Rule);
        Assert.Null(Kind().Check(Conversion()));
    }

    [Fact]
    public void Future_times_beyond_the_skew_margin_and_rows_without_identifier_are_refused()
    {
        Assert.Null(Kind().Check(Conversion(hoursAgo: -0.01)));                 // 36 s ahead: clock skew
        Assert.Equal("FutureDateTime", Kind().Check(Conversion(hoursAgo: -1))?.Rule);
        Assert.Equal("NoIdentifier", Kind().Check(Conversion(clientId: null))?.Rule);
    }

    [Fact]
    public void Repeats_are_sent_once_and_old_events_are_counted_or_skipped()
    {
        var kind = Kind();
        Assert.Null(kind.Skip(Conversion()));
        Assert.NotNull(kind.Skip(Conversion()));                                // same id, goal and time
        Assert.Null(kind.Skip(Conversion(hoursAgo: 24 * 30)));
        var warnings = kind.Warnings().ToList();
        Assert.Contains(warnings, w => w.StartsWith("1 conversion(s) happened more than 21 days ago"));
        Assert.Contains(warnings, w => w.StartsWith("1 conversion(s) repeated an earlier one"));
        Assert.NotNull(Kind(TimeSpan.FromDays(21)).Skip(Conversion(hoursAgo: 24 * 30)));
    }

    [Theory]
    [InlineData("shop sales 2026", null)]
    [InlineData("продажи в магазине", null)]
    [InlineData("run#5", "not '#'")]
    public void Comments_are_digits_and_letters(string comment, string? problem)
    {
        var result = OfflineKind<CrmConversion>.CheckComment(comment);
        if (problem == null) Assert.Null(result);
        else Assert.Contains(problem, result);
        Assert.Contains("at most 255", OfflineKind<CrmConversion>.CheckComment(new string('a', 256)));
    }

    [Fact]
    public void Conversion_file_has_the_documented_header_epoch_seconds_and_dot_decimals()
    {
        var writer = Kind().OpenWriter(Path.Combine(_dir, "c"), TimeZoneInfo.Utc, Conversion());
        writer.Write(Conversion());
        Assert.NotEqual(Kind().ColumnKey(Conversion()), Kind().ColumnKey(Conversion(clientId: null))); // a row filling other columns goes into another file
        writer.Complete();
        writer.Dispose();
        var lines = File.ReadAllText(writer.Path).Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("ClientId,Target,DateTime,Price,Currency", lines[0]);
        Assert.Equal($"133591247640966458,shop_purchase,{Now.AddHours(-5).ToUnixTimeSeconds()},1234.5,RUB", lines[1]);
    }

    [Fact]
    public void Call_file_carries_the_call_columns_as_flags_and_seconds()
    {
        var call = new CrmCall
        {
            ClientId = "133591247640966458", DateTime = Now.AddHours(-1), StaticCall = false, PhoneNumber = "+74951234567", TalkDuration = 95,
            CallMissed = false, FirstTimeCaller = true, Tag = "sales", Url = "https://shop.example/contacts",
        };
        var writer = new CallsKind(new OfflineOptions(), null, () => Now).OpenWriter(Path.Combine(_dir, "k"), TimeZoneInfo.Utc, call);
        writer.Write(call);
        writer.Complete();
        writer.Dispose();
        var lines = File.ReadAllText(writer.Path).Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("ClientId,DateTime,StaticCall,PhoneNumber,TalkDuration,CallMissed,Tag,FirstTimeCaller,URL", lines[0]);
        Assert.Equal($"133591247640966458,{Now.AddHours(-1).ToUnixTimeSeconds()},0,+74951234567,95,0,sales,1,https://shop.example/contacts", lines[1]);
    }
}
