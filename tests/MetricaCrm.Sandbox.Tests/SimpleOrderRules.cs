namespace MetricaCrm.Sandbox.Tests;

/// <summary>simple_orders: every request and file rule the sandbox enforces, broken by a raw request.</summary>
public sealed class SimpleOrderRules
{
    private const string Path = "/cdp/api/v1/counter/5/data/simple_orders";
    private static string Day => DateTime.Now.AddDays(-1).ToString("yyyy-MM-dd HH:mm:ss");

    [Theory]
    [InlineData("", "missing_parameter", "merge_mode")]
    [InlineData("?merge_mode=REPLACE", "invalid_parameter", "merge_mode=REPLACE")]
    [InlineData("?merge_mode=SAVE&delimiter_type=TAB", "invalid_parameter", "delimiter_type=TAB")]
    public async Task Query_rules(string query, string type, string message)
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Path + query, SandboxClient.CsvFile($"id,create_date_time,emails\nA-1,{Day},a@b.ru\n")), 400, type, message);
    }

    [Fact]
    public async Task Body_must_be_multipart_with_a_part_named_file()
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Path + "?merge_mode=SAVE", new StringContent("id\n", System.Text.Encoding.UTF8, "text/csv")), 400, "invalid_uploading", "multipart");
        SandboxClient.AssertError(await s.PostAsync(Path + "?merge_mode=SAVE", SandboxClient.CsvFile("id\n", partName: "data")), 400, "invalid_uploading", "Не найден параметр");
    }

    [Theory]
    [InlineData("", "The file is empty")]
    [InlineData("\uFEFFid,create_date_time,emails\nA-1,{0},a@b.ru\n", "без BOM")]
    [InlineData("id,create_date_time,emails,comment\nA-1,{0},a@b.ru,x\n", "неизвестная колонка 'comment'")]
    [InlineData("create_date_time,emails\n{0},a@b.ru\n", "обязательная колонка id")]
    [InlineData("id,emails\nA-1,a@b.ru\n", "обязательная колонка create_date_time")]
    [InlineData("id,create_date_time,client_uniq_id\nA-1,{0},K-1\n", "хотя бы одна из")]
    [InlineData("id,create_date_time,emails\nA-1,{0},a@b.ru,extra\n", "полей вместо")]
    [InlineData("id,create_date_time,emails\nA-1,2026-02-30 10:00:00,a@b.ru\n", "create_date_time")]
    [InlineData("id,create_date_time,emails\nA-1,1969-12-31 10:00:00,a@b.ru\n", "до 1970")]
    [InlineData("id,create_date_time,emails,revenue\nA-1,{0},a@b.ru,\"1,5\"\n", "revenue")]
    [InlineData("id,create_date_time,emails,order_status\nA-1,{0},a@b.ru,paid\n", "order_status")]
    [InlineData("id,create_date_time,emails,currency\nA-1,{0},a@b.ru,RUBL\n", "Неверный код валюты")]
    [InlineData("id,create_date_time,client_ids\nA-1,{0},1.3E+17\n", "client_ids")]
    [InlineData("id,create_date_time,phones\nA-1,{0},+79995551111\n", "phones")]
    [InlineData("id,create_date_time,emails\nA-1,{0},Ivan@Mail.ru\n", "emails")]
    [InlineData("id,create_date_time,emails_md5\nA-1,{0},3C56FF8FEF0F6C65B36B2D25720FE276\n", "emails_md5")]
    public async Task File_rules(string csv, string message)
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.PostAsync(Path + "?merge_mode=SAVE", SandboxClient.CsvFile(string.Format(csv, Day))), 400, "invalid_uploading", message);
    }

    [Fact]
    public async Task Invalid_UTF8_is_refused()
    {
        await using var s = await SandboxClient.StartAsync();
        var bytes = System.Text.Encoding.UTF8.GetBytes($"id,create_date_time,emails\nA-1,{Day},").Concat(new byte[] { 0xC3, 0x28 }).ToArray();
        var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", "data.csv" } };
        SandboxClient.AssertError(await s.PostAsync(Path + "?merge_mode=SAVE", form), 400, "invalid_uploading", "UTF-8");
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    [InlineData("?datetime_offset=yesterday", "datetime_offset")]
    public async Task Last_uploadings_rules(string query, string message)
    {
        await using var s = await SandboxClient.StartAsync();
        SandboxClient.AssertError(await s.GetAsync("/cdp/api/v1/counter/5/last_uploadings" + query), 400, "invalid_parameter", message);
    }
}
