using System.Net;
using System.Text;
using System.Text.Json;
using MetricaCrm.Engine.Contacts;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Metrica;
using MetricaCrm.Engine.Orders;
using MetricaCrm.Engine.SimpleOrders;
using MetricaCrm.Engine.Upload;
using Xunit;

namespace MetricaCrm.Engine.Tests;

/// <summary>The upload pipeline: writers' exact shapes, batching, and counts that reconcile.</summary>
public sealed class UploadTests : IDisposable
{
    private static readonly TimeZoneInfo Moscow = TimeZoneInfo.FindSystemTimeZoneById("Europe/Moscow");
    private readonly string _dir = TestDirectory.Create("metricacrm-upload-");

    public void Dispose() => Directory.Delete(_dir, true);

    private static CrmOrder Order(string id, string? client = "K-1", string status = "PAID", int daysAgo = 2) => new()
    {
        Id = id, ClientUniqId = client, MetricaStatus = status, CreateDateTime = DateTimeOffset.UtcNow.AddDays(-daysAgo),
        Emails = new[] { "a@b.ru" }, SourceFile = "orders.csv", SourceLine = 2,
    };

    private string Written<T>(BatchWriter<T> writer, params T[] records) where T : class
    {
        foreach (var r in records) writer.Write(r);
        writer.Complete();
        writer.Dispose();
        return File.ReadAllText(writer.Path);
    }

    [Fact]
    public void Contact_csv_has_the_documented_columns_it_fills_then_attributes_and_counter_local_times()
    {
        var c = new CrmClient
        {
            UniqId = "K-1", Name = "Иван, \"Рога\"", BirthDate = new DateTime(1990, 5, 1), CreateDateTime = new DateTimeOffset(2026, 11, 1, 7, 0, 0, TimeSpan.Zero),
            ClientIds = new[] { "133591247640966458" }, Phones = new[] { "79995551111", "79995552222" },
            Attributes = { ["shoe_size"] = "42", ["segment"] = "vip" },
        };
        var text = Written(new FilledColumnsCsvWriter<CrmClient>(Path.Combine(_dir, "c.csv"), ContactCsvColumns.Layout, Moscow, c), c);
        var lines = text.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries);
        // No update_date_time, emails, md5 or company_uniq_id/user_comment column: the contact fills none of them.
        Assert.Equal("uniq_id,name,birth_date,create_date_time,client_ids,phones,segment,shoe_size", lines[0]);
        Assert.Equal("K-1,\"Иван, \"\"Рога\"\"\",1990-05-01,2026-11-01 10:00:00,\"133591247640966458\",\"79995551111,79995552222\",vip,42", lines[1]);
        Assert.NotEqual(0xEF, File.ReadAllBytes(Path.Combine(_dir, "c.csv"))[0]); // no BOM
    }

    [Fact]
    public void A_csv_contact_with_a_field_documented_only_for_json_is_refused_and_json_takes_it()
    {
        var csv = new ContactsKind(UploadFormat.Csv, counterAttributes: null);
        var fault = csv.Check(new CrmClient { UniqId = "K-1", CompanyUniqId = "F-1" });
        Assert.Equal(("JsonOnlyField", "company_uniq_id", "F-1"), (fault?.Rule, fault?.Column, fault?.Value));
        Assert.Contains("-Format Json", fault!.Expected);
        Assert.Equal("user_comment", csv.Check(new CrmClient { UniqId = "K-1", UserComment = "vip" })?.Column);
        Assert.Null(csv.Check(new CrmClient { UniqId = "K-1", Name = "Иван" }));
        Assert.Null(new ContactsKind(UploadFormat.Json, counterAttributes: null).Check(new CrmClient { UniqId = "K-1", CompanyUniqId = "F-1", UserComment = "vip" }));
    }

    [Fact]
    public void Contact_json_sends_client_ids_as_strings_and_attributes_as_pairs()
    {
        // Strings, as the docs' contacts example sends them: 17640513425123456789 as a JSON number is rounded by doubles.
        var c = new CrmClient { UniqId = "K-1", ClientIds = new[] { "133591247640966458", "17640513425123456789" }, Emails = new[] { "a@b.ru" }, Attributes = { ["shoe_size"] = "42" } };
        var json = JsonDocument.Parse(Written(new ContactJsonWriter(Path.Combine(_dir, "c.json"), Moscow), c)).RootElement.GetProperty("contacts")[0];
        Assert.Equal("K-1", json.GetProperty("uniq_id").GetString());
        Assert.Equal("[\"133591247640966458\",\"17640513425123456789\"]", json.GetProperty("client_ids").GetRawText());
        Assert.Equal("a@b.ru", json.GetProperty("emails")[0].GetString());
        Assert.Equal("[[\"shoe_size\",\"42\"]]", json.GetProperty("attribute_values").GetRawText());
        Assert.False(json.TryGetProperty("name", out _)); // absent values are left out, not null
    }

    [Fact]
    public void Order_csv_and_json_shapes_of_products_and_goals()
    {
        var o = Order("O-1");
        o.CreateDateTime = new DateTimeOffset(2026, 11, 20, 7, 8, 9, TimeSpan.Zero);
        o.Revenue = 1234.5m;
        o.Goals = new[] { "oplata:200", "filial_1" };
        o.Products = new List<OrderProduct> { new("pear", 10), new("apple", 30) };
        o.Attributes["branch"] = "north";
        var csv = Written(new FilledColumnsCsvWriter<CrmOrder>(Path.Combine(_dir, "o.csv"), OrderCsvColumns.Layout, Moscow, o), o).Split('\n');
        Assert.Equal("id,client_uniq_id,client_type,create_date_time,order_status,revenue,goals,products,branch", csv[0]);
        Assert.Equal("O-1,K-1,CONTACT,2026-11-20 10:08:09,PAID,1234.5,\"oplata:200,filial_1\",\"pear:10,apple:30\",north", csv[1]);

        var json = JsonDocument.Parse(Written(new OrderJsonWriter(Path.Combine(_dir, "o.json"), Moscow), o)).RootElement.GetProperty("orders")[0];
        Assert.Equal("{\"pear\":10,\"apple\":30}", json.GetProperty("products").GetRawText());
        Assert.Equal("[{\"goal_action_id\":\"oplata\",\"price\":200},{\"goal_action_id\":\"filial_1\"}]", json.GetProperty("goals").GetRawText());
        Assert.Equal("CONTACT", json.GetProperty("client_type").GetString());
        Assert.Equal("2026-11-20 10:08:09", json.GetProperty("create_date_time").GetString());
        Assert.Equal(1234.5m, json.GetProperty("revenue").GetDecimal());
    }

    private sealed class Host : IUploadHost
    {
        public List<string> Events { get; } = new();
        public bool Approve(string target, string action) { Events.Add("approve"); return true; }
        public T Await<T>(Task<T> task) => task.GetAwaiter().GetResult();
        public void Rejected(RowRejection rejection, object record) => Events.Add("rejected " + rejection.Rule);
        public void Uploaded(MetricaUpload upload, BatchFile batch) => Events.Add($"uploaded {batch.Rows}");
        public void UploadFailed(MetricaApiException error, BatchFile batch, MetricaCrm.Engine.Journal.BatchState outcome) => Events.Add("failed " + error.ErrorId);
        public void Warning(string message) => Events.Add("warning " + message);
        public void Skipped(object record, string reason) => Events.Add("skipped");
        public void Changed(object record, string description) => Events.Add("changed");
        public void Progress(string status) { }
    }

    /// <summary>Answers every upload with 200 and records each file it was sent, as Metrica's envelope says.</summary>
    private sealed class Metrica : HttpMessageHandler
    {
        public List<string> Bodies { get; } = new();
        public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Bodies.Add(await request.Content!.ReadAsStringAsync());
            var body = Status == HttpStatusCode.OK
                ? "{\"uploading\":{\"uploading_id\":\"u" + Bodies.Count + "\",\"api_validation_status\":\"PASSED\",\"elements_count\":1}}"
                : "{\"errors\":[{\"error_type\":\"access_denied\",\"message\":\"Access is denied\"}],\"code\":403,\"message\":\"Access is denied\"}";
            return new HttpResponseMessage(Status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        }
    }

    private UploadSession<CrmOrder> Session(UploadKind<CrmOrder> kind, Host host, Metrica metrica, int batchSize = 1000, MetricaCrm.Engine.Journal.UploadJournal? journal = null)
    {
        var client = new MetricaClient(new Uri("http://127.0.0.1:1"), MetricaToken.FromPlainText("t"), new RetryOptions { MaxRetries = 0 }, handler: metrica);
        return new UploadSession<CrmOrder>(kind, new UploadSessionOptions { CounterId = 1, BatchSize = batchSize, Directory = Path.Combine(_dir, "batches"), Journal = journal },
            host, () => client, () => Moscow, "test", CancellationToken.None);
    }

    [Fact]
    public void The_journal_carries_the_per_client_limit_across_runs_and_counts_orders_whose_contact_it_never_saw()
    {
        using var journal = MetricaCrm.Engine.Journal.UploadJournal.Open(Path.Combine(_dir, "journal.db"));
        var earlier = journal.BeginBatch(1, MetricaCrm.Engine.Journal.JournalKind.Orders, MergeMode.Save, null, null, 99_999, true);
        journal.AddSentRecords(earlier, Enumerable.Range(0, 99_999).Select(i => new MetricaCrm.Engine.Journal.JournalRecord("E-" + i, i, null, "K-1")));
        journal.CompleteBatch(earlier, "u0", MetricaCrm.Engine.Journal.BatchState.Accepted, null);
        var contact = journal.BeginBatch(1, MetricaCrm.Engine.Journal.JournalKind.Clients, MergeMode.Save, null, null, 1, true);
        journal.AddSentRecords(contact, new[] { new MetricaCrm.Engine.Journal.JournalRecord("K-1", 1) });
        journal.CompleteBatch(contact, "u1", MetricaCrm.Engine.Journal.BatchState.Accepted, null);

        var host = new Host();
        var kind = new OrdersKind(UploadFormat.Csv, counterStatuses: null, counterAttributes: null, new OrderWindows(maxAge: null));
        using (var session = Session(kind, host, new Metrica(), journal: journal))
        {
            session.Add(Order("N-1"));                  // number 100,000 of K-1: sent
            session.Add(Order("N-2"));                  // number 100,001: refused
            session.Add(Order("N-3", client: "K-2"));   // K-2's contact was never accepted
            session.Add(Order("N-4", client: "K-2"));
            session.Complete();
            Assert.Equal((4L, 3L, 1L), (session.Summary.Received, session.Summary.Sent, session.Summary.Rejected));
        }
        Assert.Equal(new[] { "rejected TooManyOrdersForClient" }, host.Events.Where(e => e.StartsWith("rejected")));
        var warning = Assert.Single(host.Events, e => e.Contains("never saw accepted"));
        Assert.StartsWith("warning 2 order(s) of 1 client(s) belong to contacts the upload journal never saw accepted for counter 1 (first: K-2)", warning);
    }

    [Fact]
    public void Repeated_ids_and_size_cut_batches_attribute_sets_get_files_of_their_own_and_counts_reconcile()
    {
        var host = new Host();
        var metrica = new Metrica();
        var kind = new OrdersKind(UploadFormat.Csv, counterStatuses: null, counterAttributes: null, new OrderWindows(maxAge: null));
        using (var session = Session(kind, host, metrica, batchSize: 3))
        {
            session.Add(Order("O-1"));
            session.Add(Order("O-2"));
            session.Add(Order("O-1", status: "CANCELLED"));            // repeat: new batch, applied later
            session.Add(Order("O-3", client: null));                   // no client: rejected
            var withAttribute = Order("O-4");
            withAttribute.Attributes["branch"] = "north";
            session.Add(withAttribute);                                // other columns: another file of the batch
            session.Add(Order("O-5", status: "на удержании"));         // neither a type nor a goal id
            session.Complete();
            var s = session.Summary;
            Assert.Equal((6L, 4L, 2L, 0L), (s.Received, s.Sent, s.Rejected, s.Failed));
            Assert.True(s.Reconciles);
        }
        Assert.Equal(3, metrica.Bodies.Count);
        Assert.Contains("O-1,K-1,CONTACT", metrica.Bodies[0]);
        Assert.Contains("O-1,K-1,CONTACT", metrica.Bodies[1]);
        Assert.Contains(",CANCELLED\n", metrica.Bodies[1]);
        Assert.Contains(",branch", metrica.Bodies[2]);
        Assert.Contains(host.Events, e => e.StartsWith("warning order id O-1 repeats"));
        Assert.Equal(new[] { "rejected MissingValue", "rejected InvalidStatus" }, host.Events.Where(e => e.StartsWith("rejected")));
        // Sent files and the send's own folder are removed.
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_dir, "batches")));
    }

    [Fact]
    public void Records_that_fill_other_columns_share_a_batch_in_files_without_an_empty_cell()
    {
        using var journal = MetricaCrm.Engine.Journal.UploadJournal.Open(Path.Combine(_dir, "journal.db"));
        var host = new Host();
        var metrica = new Metrica();
        var orders = new[] { Order("O-1"), Order("O-2"), Order("O-3"), Order("O-4"), Order("O-5") };
        orders[0].Revenue = 100m;
        orders[2].Revenue = 300m;
        orders[3].Revenue = 400m;
        orders[3].Currency = "EUR";
        using (var session = Session(new SimpleOrdersKind(null, new OrderWindows(null)), host, metrica, journal: journal))
        {
            foreach (var o in orders) session.Add(o);
            session.Complete();
            Assert.Equal((5L, 5L, 3), (session.Summary.Received, session.Summary.Sent, session.Summary.Uploads));
            Assert.True(session.Summary.Reconciles);
        }
        // One batch, three shapes: three uploads (cutting at every change of columns made five), in the order each shape first came.
        var files = metrica.Bodies.Select(CsvPart).ToArray();
        Assert.Equal(3, files.Length);
        Assert.StartsWith("id,create_date_time,client_uniq_id,emails,order_status,revenue\n", files[0]);
        Assert.StartsWith("id,create_date_time,client_uniq_id,emails,order_status\n", files[1]);
        Assert.StartsWith("id,create_date_time,client_uniq_id,emails,order_status,revenue,currency\n", files[2]);
        Assert.Equal(new[] { "O-1", "O-3" }, Ids(files[0]));
        Assert.Equal(new[] { "O-2", "O-5" }, Ids(files[1]));
        Assert.Equal(new[] { "O-4" }, Ids(files[2]));
        foreach (var file in files)
            foreach (var line in file.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries))
                Assert.False(line.Contains(",,") || line.EndsWith(","), "an empty cell: " + line);
        // The journal holds each file as a batch of its own rows, so a resume sends exactly what each one had.
        var batches = journal.Batches(1, MetricaCrm.Engine.Journal.JournalKind.SimpleOrders);
        Assert.Equal(new long[] { 2, 2, 1 }, batches.OrderBy(b => b.Id).Select(b => b.Rows));
        Assert.All(batches, b => Assert.Equal(MetricaCrm.Engine.Journal.BatchState.Accepted, b.State));
    }

    /// <summary>The file part of a multipart body.</summary>
    private static string CsvPart(string body)
    {
        int start = body.IndexOf("id,", StringComparison.Ordinal);
        int end = body.IndexOf("\r\n--", start, StringComparison.Ordinal);
        return body.Substring(start, end - start);
    }

    private static string[] Ids(string csv) => csv.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')[0]).ToArray();

    [Fact]
    public void After_an_access_refusal_later_batches_are_failed_without_a_request()
    {
        var host = new Host();
        var metrica = new Metrica { Status = HttpStatusCode.Forbidden };
        using var session = Session(new SimpleOrdersKind(counterGoals: null, new OrderWindows(null)), host, metrica, batchSize: 1);
        for (int i = 0; i < 3; i++) session.Add(Order("O-" + i));
        session.Complete();
        Assert.Single(metrica.Bodies);
        Assert.Equal((3L, 0L, 3L), (session.Summary.Received, session.Summary.Sent, session.Summary.Failed));
    }

    [Fact]
    public void Old_orders_are_counted_once_or_skipped_with_a_maximum_age()
    {
        var host = new Host();
        using (var session = Session(new SimpleOrdersKind(null, new OrderWindows(null)), host, new Metrica()))
        {
            session.Add(Order("O-1", daysAgo: 30));
            session.Add(Order("O-2", daysAgo: 200));
            session.Add(Order("O-3", daysAgo: 1));
            session.Complete();
            Assert.Equal(3L, session.Summary.Sent);
        }
        Assert.Contains(host.Events, e => e.StartsWith("warning 2 order(s) were created more than 21 days ago"));
        Assert.Contains(host.Events, e => e.StartsWith("warning 1 order(s) were created more than 111 days ago"));

        var skipping = new Host();
        using var strict = Session(new SimpleOrdersKind(null, new OrderWindows(TimeSpan.FromDays(21))), skipping, new Metrica());
        strict.Add(Order("O-1", daysAgo: 30));
        strict.Add(Order("O-3", daysAgo: 1));
        strict.Complete();
        Assert.Equal((2L, 1L, 1L), (strict.Summary.Received, strict.Summary.Sent, strict.Summary.Skipped));
        Assert.True(strict.Summary.Reconciles);
    }

    [Fact]
    public void The_100001st_order_of_one_client_is_a_located_error_counting_orders_accepted_before()
    {
        var perClient = new RecordsPerClient(100_000, client => client == "K-1" ? 99_998 : 0);
        Assert.Null(perClient.Count("K-1", "O-1", "order", alreadyAccepted: false));
        Assert.Null(perClient.Count("K-1", "O-2", "order", alreadyAccepted: false));
        Assert.Null(perClient.Count("K-1", "O-old", "order", alreadyAccepted: true));   // an update adds nothing
        var fault = perClient.Count("K-1", "O-last", "order", alreadyAccepted: false);
        Assert.Equal("TooManyOrdersForClient", fault?.Rule);
        Assert.Contains("O-last would be number 100,001", fault!.Expected);
        Assert.Contains("99,998 accepted in earlier uploads", fault.Expected);
        Assert.Null(perClient.Count("K-2", "O-other", "order", alreadyAccepted: false));
    }

    [Fact]
    public void Text_limits_refuse_huge_values_and_control_characters()
    {
        Assert.Equal("TextTooLong", MetricaCrm.Engine.Normalization.TextRules.CheckIdentifier("id", new string('x', 30_000_000))?.Rule);
        Assert.Equal("ControlCharacter", MetricaCrm.Engine.Normalization.TextRules.CheckIdentifier("id", "A\0B")?.Rule);
        Assert.Null(MetricaCrm.Engine.Normalization.TextRules.CheckText("user_comment", "line 1\nline 2"));
        Assert.Equal("MissingValue", OrderRules.CheckId(Order("  "))?.Rule);
        Assert.Equal("ControlCharacter", OrderRules.CheckId(Order("A\u0001"))?.Rule);
    }
}
