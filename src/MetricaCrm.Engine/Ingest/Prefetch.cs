using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>
    /// Runs a sequence on a thread of its own, a bounded number of batches ahead of the consumer, so that reading and
    /// normalising a file overlaps with the PowerShell pipeline emitting the rows before. Order is kept; memory is
    /// bounded by <c>batchSize * batchesAhead</c> items; an exception surfaces after the items before it.
    /// </summary>
    public static class Prefetch
    {
        public static IEnumerable<T> Ahead<T>(IEnumerable<T> source, int batchSize, int batchesAhead, CancellationToken cancellation)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            using var queue = new BlockingCollection<List<T>>(batchesAhead);
            var producer = Task.Factory.StartNew(() =>
            {
                try
                {
                    var batch = new List<T>(batchSize);
                    foreach (var item in source)
                    {
                        batch.Add(item);
                        if (batch.Count == batchSize)
                        {
                            queue.Add(batch, stop.Token);
                            batch = new List<T>(batchSize);
                        }
                    }
                    if (batch.Count > 0) queue.Add(batch, stop.Token);
                }
                finally
                {
                    queue.CompleteAdding();
                }
            }, stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            try
            {
                foreach (var batch in queue.GetConsumingEnumerable(stop.Token))
                    foreach (var item in batch)
                        yield return item;
                producer.GetAwaiter().GetResult();
            }
            finally
            {
                stop.Cancel();
                try { producer.Wait(); } catch (AggregateException) { }
            }
        }
    }
}
