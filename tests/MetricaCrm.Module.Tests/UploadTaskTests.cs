using System.Xml.Linq;

namespace MetricaCrm.Module.Tests;

/// <summary>Register-MetricaUploadTask: the Task Scheduler 1.2 definition it writes, -WhatIf, and its refusals.</summary>
public sealed class UploadTaskTests
{
    private static readonly XNamespace T = "http://schemas.microsoft.com/windows/2004/02/mit/task";

    private static XElement Required(XElement parent, params string[] path)
    {
        var e = parent;
        foreach (var name in path)
            e = e.Element(T + name) ?? throw new Xunit.Sdk.XunitException($"<{name}> missing under <{e.Name.LocalName}>");
        return e;
    }

    [Fact]
    public async Task Writes_a_task_scheduler_definition_with_the_required_elements()
    {
        await using var s = await ModuleSession.StartAsync();
        s.WriteFile("Invoke-DailyUpload.ps1", "# the daily job");
        var r = s.Run(@"Register-MetricaUploadTask -TaskName 'MetricaCrm Daily' -ScriptPath ([IO.Path]::Combine($work, 'Invoke-DailyUpload.ps1')) `
            -ArgumentList '-OrdersPath', 'D:\Export\my orders.csv', '-CounterId', '12345' -At '06:30' -RunAs 'CONTOSO\svc-metrica' `
            -LogonType Password -WorkingDirectory $work -Edition Core -Path ([IO.Path]::Combine($work, 'task.xml'))");

        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var file = Assert.IsType<FileInfo>(Assert.Single(r.Output).BaseObject);
        var bytes = File.ReadAllBytes(file.FullName);
        Assert.Equal(new byte[] { 0xFF, 0xFE }, bytes[..2]); // UTF-16 LE with BOM, as Task Scheduler exports

        var task = XDocument.Load(file.FullName).Root!;
        Assert.Equal(T + "Task", task.Name);
        Assert.Equal("1.2", task.Attribute("version")?.Value);
        Required(task, "RegistrationInfo");
        var trigger = Required(task, "Triggers", "CalendarTrigger");
        Assert.Equal(DateTime.Today.ToString("yyyy-MM-dd") + "T06:30:00", Required(trigger, "StartBoundary").Value);
        Assert.Equal("1", Required(trigger, "ScheduleByDay", "DaysInterval").Value);
        var principal = Required(task, "Principals", "Principal");
        Assert.Equal(@"CONTOSO\svc-metrica", Required(principal, "UserId").Value);
        Assert.Equal("Password", Required(principal, "LogonType").Value);
        var settings = Required(task, "Settings");
        Assert.Equal("IgnoreNew", Required(settings, "MultipleInstancesPolicy").Value);
        Assert.Equal("PT4H", Required(settings, "ExecutionTimeLimit").Value);
        var exec = Required(task, "Actions", "Exec");
        Assert.Equal("pwsh.exe", Required(exec, "Command").Value);
        Assert.Equal($"-NoProfile -NonInteractive -File {Path.Combine(s.WorkDir, "Invoke-DailyUpload.ps1")} -OrdersPath \"D:\\Export\\my orders.csv\" -CounterId 12345",
            Required(exec, "Arguments").Value);
        Assert.Equal(s.WorkDir, Required(exec, "WorkingDirectory").Value);
        Assert.Empty(task.Descendants().Where(e => e.Name.LocalName == "Password"));
    }

    [Fact]
    public async Task WhatIf_writes_nothing_and_secrets_on_the_command_line_are_refused()
    {
        await using var s = await ModuleSession.StartAsync();
        var path = Path.Combine(s.WorkDir, "task.xml");
        var job = s.WriteFile("job.ps1", "# the daily job");
        var r = s.Run("Register-MetricaUploadTask Daily $args[1] -At '06:30' -RunAs svc -Path $args[0] -WhatIf", path, job);
        Assert.Null(r.Terminating);
        Assert.Empty(r.Output);
        Assert.False(File.Exists(path));

        r = s.Run("Register-MetricaUploadTask Daily $args[1] -ArgumentList '-Token', 'abc' -At '06:30' -RunAs svc -Path $args[0]", path, job);
        Assert.Equal(new[] { "MetricaSecretOnCommandLine" }, r.ErrorIds);
        Assert.False(File.Exists(path));

        if (!OperatingSystem.IsWindows())
        {
            r = s.Run("Register-MetricaUploadTask Daily $args[1] -At '06:30' -RunAs svc -Path $args[0] -Register", path, job);
            Assert.Equal(new[] { "MetricaTaskSchedulerUnavailable" }, r.ErrorIds);
            Assert.False(File.Exists(path));
        }

        // A task that would run a script that is not there is refused before anything is written.
        r = s.Run("Register-MetricaUploadTask Daily ([IO.Path]::Combine($work, 'missing.ps1')) -At '06:30' -RunAs svc -Path $args[0]", path);
        Assert.Equal(new[] { "FileNotFound" }, r.ErrorIds);
        Assert.Contains("missing.ps1", r.Errors[0].Exception.Message);
        Assert.False(File.Exists(path));
    }
}
