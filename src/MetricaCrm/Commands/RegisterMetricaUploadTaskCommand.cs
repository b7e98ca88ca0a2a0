using System;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using MetricaCrm.Commands.Infrastructure;
using MetricaCrm.Engine.Scheduling;

namespace MetricaCrm.Commands
{
    /// <summary>Writes a daily Task Scheduler definition for an upload script and, on Windows, registers it with schtasks.exe.</summary>
    [Cmdlet(VerbsLifecycle.Register, "MetricaUploadTask", SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class RegisterMetricaUploadTaskCommand : MetricaCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string TaskName { get; set; } = "";

        [Parameter(Mandatory = true, Position = 1)]
        [ValidateNotNullOrEmpty]
        public string ScriptPath { get; set; } = "";

        [Parameter]
        public string[] ArgumentList { get; set; } = new string[0];

        [Parameter(Mandatory = true)]
        [TimeSpanArgument]
        public TimeSpan At { get; set; }

        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string RunAs { get; set; } = "";

        [Parameter]
        [ValidateSet("S4U", "Password")]
        public string LogonType { get; set; } = "S4U";

        [Parameter]
        public string? WorkingDirectory { get; set; }

        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        [Parameter]
        [ValidateSet("Desktop", "Core")]
        public string Edition { get; set; } = "Desktop";

        [Parameter]
        [ValidatePositiveTimeSpan]
        [TimeSpanArgument]
        public TimeSpan ExecutionTimeLimit { get; set; } = TimeSpan.FromHours(4);

        [Parameter]
        public SwitchParameter Register { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void EndProcessing()
        {
            // Checked before anything is written, so a run elsewhere leaves no half-done state.
            if (Register && Environment.OSVersion.Platform != PlatformID.Win32NT)
                ThrowTerminatingError(new ErrorRecord(new PlatformNotSupportedException(
                    "-Register needs Windows Task Scheduler (schtasks.exe). Write the definition without -Register and register it on the Windows server: schtasks.exe /Create /XML <file> /TN <name>."),
                    "MetricaTaskSchedulerUnavailable", ErrorCategory.NotImplemented, TaskName));
            if (At < TimeSpan.Zero || At >= TimeSpan.FromDays(1))
                ThrowTerminatingError(new ErrorRecord(new ArgumentOutOfRangeException(nameof(At), At, "-At is a time of day, 00:00:00 to 23:59:59."), "MetricaInvalidTimeOfDay", ErrorCategory.InvalidArgument, At));
            try { UploadTaskDefinition.CheckNoSecrets(ArgumentList); }
            catch (ArgumentException ex) { ThrowTerminatingError(new ErrorRecord(ex, "MetricaSecretOnCommandLine", ErrorCategory.SecurityError, ArgumentList)); }

            string script = GetUnresolvedProviderPathFromPSPath(ScriptPath);
            // A task that runs a script that is not there fails every night with nothing in our log to say why.
            if (!File.Exists(script))
                ThrowTerminatingError(new ErrorRecord(new FileNotFoundException($"The script '{script}' does not exist: the task would fail every run.", script),
                    "FileNotFound", ErrorCategory.ObjectNotFound, ScriptPath));
            string path = GetUnresolvedProviderPathFromPSPath(Path);
            var definition = new UploadTaskDefinition
            {
                TaskName = TaskName,
                ScriptPath = script,
                ScriptArguments = ArgumentList,
                WorkingDirectory = WorkingDirectory != null ? GetUnresolvedProviderPathFromPSPath(WorkingDirectory) : System.IO.Path.GetDirectoryName(script)!,
                Executable = Edition == "Core" ? "pwsh.exe" : "powershell.exe",
                At = At,
                UserId = RunAs,
                LogonType = LogonType,
                ExecutionTimeLimit = ExecutionTimeLimit,
                Author = Environment.UserDomainName + "\\" + Environment.UserName,
            };
            if (File.Exists(path) && !Force)
                ThrowTerminatingError(new ErrorRecord(new IOException($"'{path}' exists; use -Force to overwrite it."), "MetricaTaskFileExists", ErrorCategory.ResourceExists, path));
            if (!ShouldProcess(path, $"Write the definition of task '{TaskName}' (daily at {At:hh\\:mm}, as {RunAs}, {LogonType})")) return;
            definition.Save(path);
            WriteObject(new FileInfo(path));

            if (Register && ShouldProcess(TaskName, $"Register with Task Scheduler as {RunAs}")) Schtasks(path);
        }

        private void Schtasks(string xmlPath)
        {
            // Password logon: schtasks asks for the password itself (/RP *), so it never appears on a command line or in a file.
            string args = $"/Create /XML {UploadTaskDefinition.Quote(xmlPath)} /TN {UploadTaskDefinition.Quote(TaskName)}"
                          + (LogonType == "Password" ? $" /RU {UploadTaskDefinition.Quote(RunAs)} /RP *" : "")
                          + (Force ? " /F" : "");
            WriteVerbose("schtasks.exe " + args);
            using (var process = Process.Start(new ProcessStartInfo("schtasks.exe", args) { UseShellExecute = false })!)
            {
                process.WaitForExit();
                if (process.ExitCode != 0)
                    WriteError(new ErrorRecord(new InvalidOperationException($"schtasks.exe /Create failed with exit code {process.ExitCode} (see its message above)."),
                        "MetricaTaskRegistrationFailed", ErrorCategory.InvalidOperation, TaskName));
            }
        }
    }
}
