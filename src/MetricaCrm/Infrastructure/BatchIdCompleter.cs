using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using MetricaCrm.Engine.Journal;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>Resume-MetricaUpload -BatchId: the batches still to settle (Pending, Unknown, Deferred), oldest first.</summary>
    public sealed class BatchIdCompleter : JournalCompleter
    {
        protected override IEnumerable<CompletionResult> Complete(UploadJournal journal, long? counterId, JournalKind? kind, string typed)
        {
            var unsettled = counterId != null
                ? journal.PendingBatches(counterId.Value, kind)
                : journal.Batches(null, kind, null, Recent).Where(b => b.State == BatchState.Pending || b.State == BatchState.Unknown || b.State == BatchState.Deferred).Reverse();
            return unsettled
                .Where(b => b.Id.ToString(CultureInfo.InvariantCulture).StartsWith(typed, StringComparison.Ordinal))
                .Select(b => new CompletionResult(b.Id.ToString(CultureInfo.InvariantCulture), $"{b.Id} ({b.State}, {b.Kind})", CompletionResultType.ParameterValue, Describe(b)));
        }
    }
}
