using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace MetricaCrm.Engine.Scheduling
{
    /// <summary>
    /// A Windows Task Scheduler 1.2 definition that runs a PowerShell script once a day. It never holds a password:
    /// with LogonType Password, Task Scheduler asks for it at registration and keeps it in its own store.
    /// </summary>
    public sealed class UploadTaskDefinition
    {
        public const string Namespace = "http://schemas.microsoft.com/windows/2004/02/mit/task";

        public string TaskName { get; set; } = "";
        public string ScriptPath { get; set; } = "";
        public IList<string> ScriptArguments { get; set; } = new List<string>();
        public string WorkingDirectory { get; set; } = "";
        /// <summary>powershell.exe (Windows PowerShell 5.1) or pwsh.exe (PowerShell 7).</summary>
        public string Executable { get; set; } = "powershell.exe";
        public TimeSpan At { get; set; }
        public string UserId { get; set; } = "";
        /// <summary>Password or S4U: both run whether the user is logged on or not; S4U has no network credentials.</summary>
        public string LogonType { get; set; } = "S4U";
        public TimeSpan ExecutionTimeLimit { get; set; } = TimeSpan.FromHours(4);
        public string Author { get; set; } = "";
        /// <summary>The day of the first run (the trigger's StartBoundary date).</summary>
        public DateTime StartDate { get; set; } = DateTime.Today;

        /// <summary>The parameter names whose values must never reach a command line (process lists, the task's XML).</summary>
        private static readonly string[] SecretParameters = { "-Token", "-Credential", "-Password", "-ProxyCredential" };

        /// <exception cref="ArgumentException">An argument would put a secret on the task's command line.</exception>
        public static void CheckNoSecrets(IEnumerable<string> arguments)
        {
            foreach (var a in arguments)
            {
                var name = a.Split(':')[0];
                if (SecretParameters.Any(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase)))
                    throw new ArgumentException($"'{name}' would put a secret on the task's command line, where the task definition and process lists show it. Store the token as the task's account instead (docs/scheduled-tasks.md).");
            }
        }

        public string Arguments()
        {
            var parts = new List<string> { "-NoProfile", "-NonInteractive", "-File", Quote(ScriptPath) };
            parts.AddRange(ScriptArguments.Select(Quote));
            return string.Join(" ", parts);
        }

        /// <summary>Quotes one argument the way the C runtime (and PowerShell's -File) splits a command line.</summary>
        public static string Quote(string arg)
        {
            if (arg.Length > 0 && arg.IndexOfAny(new[] { ' ', '\t', '"' }) < 0) return arg;
            var sb = new StringBuilder("\"");
            int backslashes = 0;
            foreach (var c in arg)
            {
                if (c == '\\') { backslashes++; continue; }
                if (c == '"') sb.Append('\\', backslashes * 2 + 1).Append('"');
                else sb.Append('\\', backslashes).Append(c);
                backslashes = 0;
            }
            return sb.Append('\\', backslashes * 2).Append('"').ToString();
        }

        public XDocument ToXml()
        {
            XNamespace t = Namespace;
            var start = StartDate.Date + At;
            return new XDocument(new XDeclaration("1.0", "UTF-16", null),
                new XElement(t + "Task", new XAttribute("version", "1.2"),
                    new XElement(t + "RegistrationInfo",
                        new XElement(t + "Author", Author),
                        new XElement(t + "Description", $"MetricaCrm upload: {ScriptPath}"),
                        new XElement(t + "URI", "\\" + TaskName)),
                    new XElement(t + "Triggers",
                        new XElement(t + "CalendarTrigger",
                            // Local time without an offset: the task follows the machine's clock across DST changes.
                            new XElement(t + "StartBoundary", start.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)),
                            new XElement(t + "Enabled", "true"),
                            new XElement(t + "ScheduleByDay", new XElement(t + "DaysInterval", "1")))),
                    new XElement(t + "Principals",
                        new XElement(t + "Principal", new XAttribute("id", "Author"),
                            new XElement(t + "UserId", UserId),
                            new XElement(t + "LogonType", LogonType),
                            new XElement(t + "RunLevel", "LeastPrivilege"))),
                    new XElement(t + "Settings",
                        // A run still going at the next start time keeps going; the new one is not started (the script's lock agrees).
                        new XElement(t + "MultipleInstancesPolicy", "IgnoreNew"),
                        new XElement(t + "DisallowStartIfOnBatteries", "false"),
                        new XElement(t + "StopIfGoingOnBatteries", "false"),
                        new XElement(t + "StartWhenAvailable", "true"),
                        new XElement(t + "RunOnlyIfNetworkAvailable", "true"),
                        new XElement(t + "AllowStartOnDemand", "true"),
                        new XElement(t + "Enabled", "true"),
                        new XElement(t + "ExecutionTimeLimit", XmlConvert.ToString(ExecutionTimeLimit))),
                    new XElement(t + "Actions", new XAttribute("Context", "Author"),
                        new XElement(t + "Exec",
                            new XElement(t + "Command", Executable),
                            new XElement(t + "Arguments", Arguments()),
                            new XElement(t + "WorkingDirectory", WorkingDirectory)))));
        }

        /// <summary>Writes the definition as UTF-16 with BOM, the encoding Task Scheduler exports and schtasks /XML reads.</summary>
        public void Save(string path)
        {
            var settings = new XmlWriterSettings { Encoding = new UnicodeEncoding(false, true), Indent = true };
            using (var writer = XmlWriter.Create(path, settings)) ToXml().Save(writer);
        }
    }
}
