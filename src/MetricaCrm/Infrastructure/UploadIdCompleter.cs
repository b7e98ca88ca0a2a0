using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MetricaCrm.Engine.Journal;

namespace MetricaCrm.Commands.Infrastructure
{
    /// <summary>Get-MetricaUploadStatus -UploadId: the upload ids of the journal's recent batches.</summary>
    public sealed class UploadIdCompleter : JournalCompleter
    {
        protected override IEnumerable<CompletionResult> Complete(UploadJournal journal, long? counterId, JournalKind? kind, string typed) =>
            journal.Batches(counterId, kind, null, Recent)
                .Where(b => !string.IsNullOrEmpty(b.UploadId) && b.UploadId!.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                .GroupBy(b => b.UploadId).Select(g => g.First())
                .Select(b => new CompletionResult(b.UploadId!, b.UploadId!, CompletionResultType.ParameterValue, Describe(b)));
    }
}
