using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>
    /// Base of every MetricaCrm cmdlet: runs engine work off the pipeline thread while pumping the messages it posts
    /// (verbose, progress, warnings) back onto the pipeline thread, where PowerShell allows them; Ctrl+C cancels.
    /// </summary>
    public abstract class MetricaCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly BlockingCollection<Action> _posted = new BlockingCollection<Action>();

        protected CancellationToken StopToken => _stop.Token;

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>Queues an action for the pipeline thread; safe from any thread.</summary>
        protected void Post(Action action) => _posted.Add(action);

        protected void PostVerbose(string message) => Post(() => WriteVerbose(message));

        protected T Run<T>(Func<CancellationToken, Task<T>> work)
        {
            var task = Task.Run(() => work(_stop.Token));
            while (!task.IsCompleted)
                if (_posted.TryTake(out var action, 50)) action();
            DrainPosted();
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        protected void Run(Func<CancellationToken, Task> work) => Run<bool>(async ct => { await work(ct).ConfigureAwait(false); return true; });

        protected void DrainPosted()
        {
            while (_posted.TryTake(out var action)) action();
        }

        /// <summary>
        /// Writes a fresh progress record each time: a host, a job or a remoting session may keep the records it gets,
        /// so one record mutated and written again would show only its last state.
        /// </summary>
        protected void Progress(int id, string activity, string status, int percent = -1, bool completed = false) =>
            WriteProgress(new ProgressRecord(id, activity, status)
            {
                PercentComplete = percent,
                RecordType = completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            });

        /// <summary>The items of -InputObject: a collection passed by name (-InputObject $rows) is taken item by item.</summary>
        protected static System.Collections.Generic.IEnumerable<PSObject> Items(PSObject? input)
        {
            if (input == null) yield break;
            if (input.BaseObject is System.Collections.IEnumerable list && !(input.BaseObject is string) && !(input.BaseObject is System.Collections.IDictionary))
            {
                foreach (var item in list)
                    if (item != null) yield return PSObject.AsPSObject(item);
            }
            else yield return input;
        }

        /// <summary>
        /// ShouldProcess, except that -Force skips the confirmation prompt of a ConfirmImpact=High cmdlet (unattended
        /// runs have nobody to answer it); -WhatIf still wins over -Force.
        /// </summary>
        protected bool ShouldProcess(bool force, string target, string action) =>
            force && !IsWhatIf() || ShouldProcess(target, action);

        protected bool IsWhatIf()
        {
            if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out var v) && v is SwitchParameter s) return s.IsPresent;
            return GetVariableValue("WhatIfPreference") is SwitchParameter p ? p.IsPresent : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        }
    }
}
