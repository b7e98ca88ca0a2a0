using System.Text;
using MetricaCrm.Sandbox;

namespace MetricaCrm.Module.Tests;

/// <summary>Issue 2: Import | Convert | Send into the sandbox, the upload status, -WhatIf, errors and retries.</summary>
public sealed class SendPipelineTests
{
    private const string Header = "id,create_date_time,client_uniq_id,client_ids,emails,phones,order_status,revenue,cost,goals,currency";
    private const string Map = "@{ 'new' = 'IN_PROGRESS'; 'paid' = 'PAID'; 'cancelled' = 'CANCELLED' }";

    private static string Pipeline(string file, string extra = "") =>
        $"Import-CrmOrder '{file}' -TimeZone 'Europe/Moscow' | Convert-MetricaStatus -Map {Map} | Send-MetricaConversion -CounterId 12345 {ModuleSession.Api} {extra}";

    private static string Orders(params string[] rows) => Header + "\n" + string.Join("\n", rows) + "\n";

    [Fact]
    public async Task Module_exports_the_cmdlets_and_plural_aliases()
    {
        await using var s = await ModuleSession.StartAsync();
        var r2 = s.Run("Get-Command -Module MetricaCrm | ForEach-Object Name");
        var names = r2.Output.Select(o => o.ToString()).ToList();
        foreach (var n in new[] { "Import-CrmOrder", "Import-CrmOrders", "Convert-MetricaStatus", "Send-MetricaConversion", "Send-MetricaConversions", "Get-MetricaUploadStatus", "Import-CrmClient", "Import-CrmClients" })
            Assert.Contains(n, names);
        var aliasTarget = s.Run("(Get-Command Send-MetricaConversions).ResolvedCommandName").Output.Single().ToString();
        Assert.Equal("Send-MetricaConversion", aliasTarget);
        var formats = s.Run("(Get-Module MetricaCrm).ExportedFormatFiles").Output.Select(o => Path.GetFileName(o.ToString())).ToList();
        Assert.Equal(new[] { "MetricaCrm.Format.ps1xml" }, formats);
        // The reference System.Management.Automation.dll is never shipped.
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(ModuleSession.ModulePath)!, "System.Management.Automation.dll", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Pipeline_uploads_mapped_orders_that_the_sandbox_stores()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders(
            $"A-1,{RecentDay} 10:07:00,C-1,133591247640966458,Client1@Example.RU,\"+7 (999) 555-11-11\",paid,7328.50,1000,,RUB",
            "A-2,2026-10-03 11:14:00,C-2,,c2@example.ru,\"8 999 555 22 22, 8-999-555-33-33\",new,100,,order_confirmed:50,",
            "A-3,2026-10-04 12:21:00,C-3,,,89995554444,cancelled,,,,"));
        var r = s.Run(Pipeline(file, "-Wait"));

        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        // The three orders fill three sets of columns: one file each (a file has no empty cell), in input order.
        Assert.Equal(3, r.Output.Count);
        foreach (var upload in r.Output)
        {
            Assert.Equal("PASSED", upload.Properties["Status"].Value);
            Assert.Equal((1L, 1L), ((long)upload.Properties["RowsSent"].Value, (long)upload.Properties["ElementsCount"].Value));
            Assert.False(string.IsNullOrEmpty((string)upload.Properties["UploadId"].Value));
        }
        Assert.Equal(new[] { "id,create_date_time,client_uniq_id,client_ids,emails,phones,order_status,revenue,cost,currency",
                             "id,create_date_time,client_uniq_id,emails,phones,order_status,revenue,goals",
                             "id,create_date_time,client_uniq_id,phones,order_status" },
            s.Counter(12345).Uploads.OrderBy(u => u.DateTime).Select(u => u.FileText.Split('\n')[0]));

        var stored = await s.StoredOrdersAsync(12345);
        Assert.Equal(new[] { "A-1", "A-2", "A-3" }, stored.Select(o => o.Id));
        var a1 = stored[0];
        Assert.Equal($"{RecentDay} 10:07:00", a1.CreateDateTime); // Moscow in, Moscow counter out
        Assert.Equal(new[] { "133591247640966458" }, a1.ClientIds);
        Assert.Equal(new[] { "client1@example.ru" }, a1.Emails);
        Assert.Equal(new[] { "79995551111" }, a1.Phones);
        Assert.Equal("PAID", a1.OrderStatus);
        Assert.Equal(7328.50m, a1.Revenue);
        Assert.Equal(1000m, a1.Cost);
        Assert.Equal("RUB", a1.Currency);
        Assert.Equal(new[] { "79995552222", "79995553333" }, stored[1].Phones);
        Assert.Equal("IN_PROGRESS", stored[1].OrderStatus);
        Assert.Equal(new[] { "order_confirmed:50" }, stored[1].Goals);
        Assert.Equal("CANCELLED", stored[2].OrderStatus);

        var upload2 = s.Run($"Get-MetricaUploadStatus -CounterId 12345 {ModuleSession.Api}");
        Assert.Equal(r.Output.Select(u => u.Properties["UploadId"].Value).Order(), upload2.Output.Select(u => u.Properties["UploadId"].Value).Order());
    }

    [Fact]
    public async Task Wait_polls_until_Metrica_lists_the_upload()
    {
        await using var s = await ModuleSession.StartAsync(listingDelay: TimeSpan.FromSeconds(1.5));
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,"));
        var r = s.Run(Pipeline(file, "-Wait -PollInterval '00:00:00.3'"));
        Assert.Empty(r.Errors);
        Assert.Equal("PASSED", Assert.Single(r.Output).Properties["Status"].Value);
        Assert.True(s.Requests("last_uploadings").Count >= 3, "polled until listed");
        Assert.Equal(200, s.Requests("last_uploadings").Last().Status);

        var missing = s.Run($"Get-MetricaUploadStatus -CounterId 12345 -UploadId nope {ModuleSession.Api}");
        Assert.Equal("UploadNotFound", Assert.Single(missing.ErrorIds));
    }

    [Fact]
    public async Task Long_work_reports_progress()
    {
        await using var s = await ModuleSession.StartAsync();
        var rows = Enumerable.Range(1, 25_000).Select(i => $"A-{i},{RecentDay} 10:07:00,,,u{i}@b.ru,,paid,,,,").ToArray();
        var file = s.WriteFile("orders.csv", Orders(rows));
        var r = s.Run(Pipeline(file));
        Assert.Empty(r.Errors);
        Assert.Contains(r.Progress, p => p.Activity.StartsWith("Import-CrmOrder") && p.StatusDescription == "20,000 rows");
        Assert.Contains(r.Progress, p => p.Activity.StartsWith("Send-MetricaConversion") && p.StatusDescription.StartsWith("Read all 25,000 order(s)"));
        Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);
    }

    [Fact]
    public async Task Upload_file_follows_the_fact_sheet_format()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay}T07:07:00Z,C-1,,a@b.ru,\"+7 999 555 11 11\",paid,10,,,"));
        var r = s.Run(Pipeline(file));
        Assert.Empty(r.Errors);
        var sent = Assert.Single(s.Counter(12345).Uploads).FileText;
        Assert.NotEqual('\uFEFF', sent[0]);
        var lines = sent.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The documented columns in their order, only those the order fills: no empty cell.
        Assert.Equal("id,create_date_time,client_uniq_id,emails,phones,order_status,revenue", lines[0]);
        // 07:07 UTC is 10:07 in the counter's zone (Europe/Moscow); multi-value cells are quoted.
        Assert.Equal($"A-1,{RecentDay} 10:07:00,C-1,\"a@b.ru\",\"79995551111\",PAID,10", lines[1]);
        var req = Assert.Single(s.Requests("/data/simple_orders"));
        Assert.Contains("merge_mode=SAVE", req.Query);
        Assert.Equal("OAuth", req.AuthScheme);
    }

    [Fact]
    public async Task Malformed_rows_are_located_errors_and_the_rest_flow()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders(
            $"A-1,{RecentDay} 10:07:00,C-1,,a@b.ru,,paid,10,,,",
            "A-2,32.13.2026 10:00,C-2,,b@b.ru,,paid,10,,,",
            $"A-3,{RecentDay} 10:07:00,C-3,,c@b.ru,,paid,-5,,,",
            $"A-4,{RecentDay} 10:07:00,C-4,,d@b.ru,,paid,10,,,"));
        var r = s.Run(Pipeline(file));
        Assert.Equal(new[] { "InvalidDateTime", "NegativeAmount" }, r.ErrorIds);
        var msg = r.Errors[0].Exception.Message;
        Assert.Contains(file, msg);
        Assert.Contains("line 3", msg);
        Assert.Contains("create_date_time", msg);
        Assert.Contains("32.13.2026 10:00", msg);
        Assert.Contains("line 4", r.Errors[1].Exception.Message);
        Assert.Equal(new[] { "A-1", "A-4" }, (await s.StoredOrdersAsync(12345)).Select(o => o.Id));
    }

    [Fact]
    public async Task Unmapped_status_is_an_error_for_that_order_only()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders(
            $"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,", $"A-2,{RecentDay} 10:07:00,,,b@b.ru,,на удержании,,,,"));
        var r = s.Run(Pipeline(file));
        Assert.Equal("UnmappedStatus", Assert.Single(r.ErrorIds));
        Assert.Contains("на удержании", r.Errors[0].Exception.Message);
        Assert.Equal(new[] { "A-1" }, (await s.StoredOrdersAsync(12345)).Select(o => o.Id));
    }

    [Fact]
    public async Task Semicolon_file_with_quoted_cells_is_read()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Header.Replace(',', ';') + "\n" +
            "A-1;02.10.2026 10:07;C-1;;\"a@b.ru,c@d.ru\";\"+7 999 555-11-11; 8 (999) 555-22-22\";paid;\"1 234,50\";;;RUB\n");
        var r = s.Run(Pipeline(file));
        Assert.Empty(r.Errors);
        var o = Assert.Single(await s.StoredOrdersAsync(12345));
        Assert.Equal(new[] { "a@b.ru", "c@d.ru" }, o.Emails);
        Assert.Equal(new[] { "79995551111", "79995552222" }, o.Phones);
        Assert.Equal(1234.50m, o.Revenue);
    }

    [Fact]
    public async Task Collections_passed_by_name_are_taken_item_by_item()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run($"$rows = @([pscustomobject]@{{ id = 'A-1'; created = '{RecentDay} 10:07'; email = 'a@b.ru'; status = 'paid' }}, " +
                      $"[pscustomobject]@{{ id = 'A-2'; created = '{RecentDay} 10:07'; email = 'b@b.ru'; status = 'new' }}); " +
                      "$orders = Import-CrmOrder -InputObject $rows -TimeZone UTC; " +
                      $"$mapped = Convert-MetricaStatus -InputObject $orders -Map {Map}; " +
                      $"Send-MetricaConversion -InputObject $mapped -CounterId 12345 {ModuleSession.Api}");
        Assert.Empty(r.Errors);
        Assert.Equal(2L, Assert.Single(r.Output).Properties["RowsSent"].Value);
        Assert.Equal(new[] { "PAID", "IN_PROGRESS" }, (await s.StoredOrdersAsync(12345)).Select(o => o.OrderStatus));
    }

    [Fact]
    public async Task WhatIf_sends_nothing_and_says_what_would_be_sent()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,", $"A-2,{RecentDay} 10:07:00,,,b@b.ru,,new,,,,"));
        var r = s.Run(Pipeline(file, "-WhatIf -Verbose"));
        Assert.Empty(r.Errors);
        Assert.Empty(r.Output);
        Assert.Empty(s.Sandbox.State.Requests);
        Assert.Contains(r.Information, i => i.MessageData.ToString()!.Contains("not sent (declined or -WhatIf) 2"));
    }

    [Fact]
    public async Task Validation_FAILED_inside_HTTP_200_is_an_error()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", ValidationFailed = true });
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,"));
        var r = s.Run(Pipeline(file));
        Assert.Equal("MetricaUploadValidationFailed", Assert.Single(r.ErrorIds));
        var upload = Assert.Single(r.Output);
        Assert.Equal("FAILED", upload.Properties["Status"].Value);
        Assert.Contains(r.Information, i => i.MessageData.ToString()!.Contains("failed uploads 1"));
    }

    [Fact]
    public async Task Transient_429_and_503_are_retried_until_accepted()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = 429, Times = 2, RetryAfterSeconds = 0 });
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = 503, Times = 1 });
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,"));
        var r = s.Run(Pipeline(file));
        Assert.Empty(r.Errors);
        Assert.Equal(new[] { 429, 429, 503, 200 }, s.Requests("/data/simple_orders").Select(q => q.Status));
        Assert.Single(await s.StoredOrdersAsync(12345));
    }

    [Fact]
    public async Task A_quota_that_resets_in_an_hour_is_not_waited_for()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = 429, RetryAfterSeconds = 3600, ErrorType = "quota_requests_by_uid", Times = 5 });
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,"));
        var started = DateTime.UtcNow;
        var r = s.Run(Pipeline(file));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30));
        Assert.Single(s.Requests("/data/simple_orders"));
        Assert.Equal("MetricaQuotaRequestsByUid", Assert.Single(r.ErrorIds));
        Assert.Equal(ErrorCategory.LimitsExceeded, r.Errors[0].CategoryInfo.Category);
    }

    [Theory]
    [InlineData(400, "invalid_parameter", "MetricaInvalidParameter")]
    [InlineData(403, "access_denied", "MetricaAccessDenied")]
    public async Task Client_errors_are_not_retried_and_carry_Metrica_error_type(int status, string type, string errorId)
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = status, ErrorType = type, Message = "Refused by test", Times = 5 });
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,"));
        var r = s.Run(Pipeline(file));
        Assert.Single(s.Requests("/data/simple_orders"));
        Assert.Equal(errorId, Assert.Single(r.ErrorIds));
        Assert.Contains(type, r.Errors[0].Exception.Message);
        Assert.Contains("Refused by test", r.Errors[0].Exception.Message);
    }

    [Fact]
    public async Task Dropped_connection_is_retried_for_a_replay_safe_upload()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", DropConnection = true, Times = 1 });
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,"));
        var r = s.Run(Pipeline(file)); // merge mode SAVE: the same file twice gives the same data
        Assert.Empty(r.Errors);
        Assert.Equal(new[] { 0, 200 }, s.Requests("/data/simple_orders").Select(q => q.Status));
        Assert.Single(await s.StoredOrdersAsync(12345));
    }

    [Fact]
    public async Task Append_upload_dropped_mid_request_is_not_repeated()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", DropConnection = true, Times = 1 });
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,"));
        var r = s.Run(Pipeline(file, "-MergeMode Append"));
        Assert.Single(s.Requests("/data/simple_orders"));
        Assert.Equal("MetricaUnreachable", Assert.Single(r.ErrorIds));
        Assert.Contains("may have reached Metrica", r.Errors[0].Exception.Message);
    }

    [Fact]
    public async Task After_an_access_refusal_no_further_batch_is_sent_and_counts_still_add_up()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = 403, ErrorType = "access_denied", Message = "Access is denied", Times = 1 });
        var rows = Enumerable.Range(1, 5).Select(i => $"A-{i},{RecentDay} 10:07:00,,,u{i}@b.ru,,paid,,,,").ToArray();
        var file = s.WriteFile("orders.csv", Orders(rows));
        var r = s.Run(Pipeline(file, "-BatchSize 2"));
        Assert.Equal("MetricaAccessDenied", Assert.Single(r.ErrorIds));
        Assert.Single(s.Requests("/data/simple_orders"));
        // Access can be fixed, so nothing is lost: the refused batch and the two never sent are kept for a resume.
        Assert.Contains(r.Information, i => i.MessageData.ToString() == "Send-MetricaConversion: received 5, uploaded 0, rejected 0, kept for resume 5; against the upload journal: new 5, changed 0, unchanged 0");
        Assert.Contains(r.Warnings, w => w.Message.StartsWith("5 order(s) in 3 upload(s) were not accepted yet and are kept in the upload journal"));

        // The next send of the kind settles them first: access is back, so the three go in their order, then the new one.
        var next = s.WriteFile("next.csv", Orders($"A-9,{RecentDay} 11:00:00,,,z@b.ru,,paid,,,,"));
        var again = s.Run(Pipeline(next, ""));
        Assert.Empty(again.Errors);
        Assert.Equal(5, s.Requests("/data/simple_orders").Count);
        Assert.Equal(6, s.Counter(12345).Orders.Count);
        var batches = s.Run("Get-MetricaUploadJournal -CounterId 12345");
        Assert.All(batches.Output, b => Assert.Equal("Accepted", b.Properties["State"].Value.ToString()));
        Assert.Equal(4, batches.Output.Count);
    }

    [Fact]
    public async Task A_refused_line_of_an_uploaded_file_is_named_by_its_source_file_line_and_order()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = 400, ErrorType = "invalid_uploading",
            Message = "Неверный формат данных, ошибка в строке номер 3: некорректное значение" });
        // The first row is rejected before sending, so the file's line 3 is the source's line 4.
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay} 10:07:00,,,,,paid,,,,", $"A-2,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,", $"A-3,{RecentDay} 10:08:00,,,c@d.ru,,paid,,,,"));
        var r = s.Run(Pipeline(file));
        var refused = Assert.Single(r.Errors, e => e.FullyQualifiedErrorId.StartsWith("MetricaInvalidUploading"));
        Assert.Contains($"Line 3 of simple_orders_0001.csv (its header is line 1) is record A-3 from {file}, line 4", refused.Exception.Message);
    }

    [Fact]
    public async Task Append_upload_with_unknown_outcome_is_not_repeated()
    {
        await using var s = await ModuleSession.StartAsync();
        s.Sandbox.State.AddFault(new FaultRule { PathContains = "simple_orders", Status = 503, Times = 5 });
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,"));
        var r = s.Run(Pipeline(file, "-MergeMode Append"));
        Assert.Single(s.Requests("/data/simple_orders"));
        Assert.Contains("may have reached Metrica", Assert.Single(r.Errors).Exception.Message);
    }

    [Fact]
    public async Task Token_never_appears_in_any_stream()
    {
        const string secret = "y0_AgAAAAB-very-secret-token-4711";
        await using var s = await ModuleSession.StartAsync(token: secret);
        var file = s.WriteFile("orders.csv", Orders($"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,,,,"));
        var ok = s.Run(Pipeline(file, "-Verbose -Wait"));
        Assert.Empty(ok.Errors);
        Assert.DoesNotContain(secret, ok.AllText());

        s.SetVariable("token", ModuleSession.ToSecure(secret + "-wrong"));
        var bad = s.Run(Pipeline(file, "-Verbose"));
        Assert.Equal("MetricaInvalidToken", Assert.Single(bad.ErrorIds));
        Assert.DoesNotContain(secret, bad.AllText());
        Assert.Single(s.Sandbox.State.Requests, q => q.Status == 403); // 403 is never retried
    }

    [Fact]
    public async Task Missing_token_is_a_clear_terminating_error()
    {
        await using var s = await ModuleSession.StartAsync();
        var r = s.Run("Get-MetricaUploadStatus -CounterId 1 -ApiBaseUri $api");
        Assert.Equal("MetricaTokenMissing", Assert.Single(r.ErrorIds));
        Assert.Contains("METRICA_TOKEN", r.Errors[0].Exception.Message);
        Assert.Empty(s.Sandbox.State.Requests);
    }

    [Fact]
    public async Task Duplicate_order_ids_go_to_a_later_upload_in_input_order()
    {
        await using var s = await ModuleSession.StartAsync();
        var file = s.WriteFile("orders.csv", Orders(
            $"A-1,{RecentDay} 10:07:00,,,a@b.ru,,new,10,,,", $"A-2,{RecentDay} 10:07:00,,,b@b.ru,,new,,,,", $"A-1,{RecentDay} 10:07:00,,,a@b.ru,,paid,20,,,"));
        var r = s.Run(Pipeline(file));
        Assert.Empty(r.Errors);
        // The first batch is, in two files (A-2 has no revenue); the repeated A-1 starts the next batch.
        Assert.Equal(new long[] { 1, 1, 1 }, r.Output.Select(o => (long)o.Properties["RowsSent"].Value));
        Assert.StartsWith("A-1,", s.Counter(12345).Uploads.OrderBy(u => u.DateTime).Last().FileText.Split('\n')[1]);
        Assert.Contains(r.Warnings, w => w.Message.Contains("A-1"));
        var a1 = (await s.StoredOrdersAsync(12345)).Single(o => o.Id == "A-1");
        Assert.Equal("PAID", a1.OrderStatus);
        Assert.Equal(20m, a1.Revenue);
    }

    [Fact]
    public async Task Batches_split_large_inputs_and_counts_reconcile()
    {
        await using var s = await ModuleSession.StartAsync();
        var rows = Enumerable.Range(1, 25).Select(i => $"A-{i},{RecentDay} 10:07:00,,,u{i}@b.ru,,paid,{i},,,").ToArray();
        var file = s.WriteFile("orders.csv", Orders(rows));
        var r = s.Run(Pipeline(file, "-BatchSize 10"));
        Assert.Empty(r.Errors);
        Assert.Equal(new long[] { 10, 10, 5 }, r.Output.Select(o => (long)o.Properties["RowsSent"].Value));
        Assert.Equal(25, (await s.StoredOrdersAsync(12345)).Count);
        Assert.Contains(r.Information, i => i.MessageData.ToString() == "Send-MetricaConversion: received 25, uploaded 25, rejected 0; against the upload journal: new 25, changed 0, unchanged 0");
    }

    [Fact]
    public async Task Summaries_are_typed_objects_whose_counts_reconcile()
    {
        await using var s = await ModuleSession.StartAsync();
        var day = DateTime.Now.AddDays(-3).ToString("yyyy-MM-dd HH:mm:ss");
        var file = s.WriteFile("orders.csv", Orders($"A-1,{day},,,a@b.ru,,paid,,,,", $"A-2,not a date,,,b@b.ru,,paid,,,,", $"A-3,{day},,,c@b.ru,,odd,,,,"));
        var r = s.Run($"Import-CrmOrder '{file}' -InformationVariable imp | Convert-MetricaStatus -Map {Map} -Unmapped Keep -InformationVariable conv | " +
                      $"Send-MetricaConversion -CounterId 12345 {ModuleSession.Api} -InformationVariable snd | Out-Null; " +
                      "$imp[-1].MessageData.Rejected, $conv[-1].MessageData.Kept, $snd[-1].MessageData.Received, $snd[-1].MessageData.Sent, $snd[-1].MessageData.Rejected, $snd[-1].MessageData.Reconciles");
        Assert.Equal(new object[] { 1L, 1L, 2L, 1L, 1L, true }, r.Output.Select(o => o.BaseObject).ToArray());
    }
}
