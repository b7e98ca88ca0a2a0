using System.Text.Json;

namespace MetricaCrm.Sandbox.Tests;

/// <summary>The compact order store gives back exactly what was saved: every field, and texts its packing must not alter.</summary>
public sealed class OrderStoreRules
{
    private static string Json(StoredOrder o) => JsonSerializer.Serialize(o);

    private static StoredOrder Full(string id, string created) => new()
    {
        Id = id, CreateDateTime = created, ClientUniqId = "К-1", ClientIds = { "1700000000000007919", "0", "007" }, Emails = { "a@b.ru", "" },
        Phones = { "79991234567" }, EmailsMd5 = { new string('a', 32) }, PhonesMd5 = { new string('b', 32) }, OrderStatus = "PAID",
        Revenue = 1234.50m, Cost = -0.000m, Goals = { "g1", "g2" }, Currency = "RUB", UploadId = "u1", Kind = "detailed", ClientType = "CONTACT",
        UpdateDateTime = "2026-01-02 03:04:05", FinishDateTime = "02.01.26 03:04", Products = { ["p1"] = 3, ["p2"] = -5 },
        Attributes = { ["branch"] = "Север", ["note"] = "\ud800 lone surrogate" }, Linked = true,
    };

    [Theory]
    [InlineData("O-1", "2026-01-02 03:04:05")]
    [InlineData("100001", "02.01.2026 03:04")]
    [InlineData("0123", "2026-1-2 3:04:05")]
    [InlineData("", "")]
    [InlineData("18446744073709551615", "99.99.9999")]
    public void Round_trips_every_field(string id, string created)
    {
        var store = new OrderStore();
        var order = Full(id, created);
        store.Save(order);
        store.Save(new StoredOrder { Id = id + "x", CreateDateTime = created });
        Assert.Equal(Json(order), Json(store[id]));
        Assert.Equal(Json(new StoredOrder { Id = id + "x", CreateDateTime = created }), Json(store[id + "x"]));
        Assert.Equal(new[] { id, id + "x" }, store.Keys);
    }

    [Fact]
    public void Replacing_orders_keeps_one_per_id_through_growth_and_compaction()
    {
        var store = new OrderStore();
        // Each round's records are longer, so the old ones die: over 64 MB of them, more than live, is compacted away.
        for (int round = 0; round < 5; round++)
            for (int i = 0; i < 10_000; i++)
                store.Save(new StoredOrder { Id = "O-" + i, CreateDateTime = "2026-01-01", Emails = { new string('e', 2000 * round + i % 7) + "@x.ru" } });
        var big = new StoredOrder { Id = "O-big", Attributes = { ["a"] = new string('я', 3_000_000) } };
        store.Save(big);
        Assert.Equal(10_001, store.Count);
        Assert.Equal(new string('e', 8000 + 5) + "@x.ru", store["O-12"].Emails.Single());
        Assert.Equal(new string('e', 8000) + "@x.ru", store["O-0"].Emails.Single());
        Assert.Equal(Json(big), Json(store["O-big"]));
        Assert.False(store.ContainsKey("O-10000"));
        Assert.Throws<KeyNotFoundException>(() => store["missing"]);
    }
}
