using System;
using System.Collections.Generic;
using System.IO;
using MetricaCrm.Engine.Ingest;
using MetricaCrm.Engine.Orders;
using MetricaCrm.Engine.Statuses;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// Streams orders into simple_orders files of bounded size (rows and bytes; Metrica's limit is 1 GB per file),
    /// starting a new file when an order id repeats so that each file holds each order once, in input order.
    /// Memory stays flat: one file's id hashes at most.
    /// </summary>
    public sealed class OrderBatcher : IDisposable
    {
        public const long MetricaFileLimitBytes = 1_000_000_000;
        private readonly string _directory;
        private readonly TimeZoneInfo _zone;
        private readonly long _maxRows;
        private readonly long _maxBytes;
        private SimpleOrdersFile? _current;
        private int _fileNumber;
        private readonly List<string> _created = new List<string>();

        public OrderBatcher(TimeZoneInfo counterZone, long maxRows, long maxBytes = MetricaFileLimitBytes - (16 << 20), string? directory = null)
        {
            if (maxRows < 1) throw new ArgumentOutOfRangeException(nameof(maxRows), "A batch holds at least one order.");
            _zone = counterZone;
            _maxRows = maxRows;
            _maxBytes = Math.Min(maxBytes, MetricaFileLimitBytes - (16 << 20));
            _directory = directory ?? Path.Combine(Path.GetTempPath(), "MetricaCrm", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(_directory);
        }

        /// <summary>Set when a file was closed because an order id repeated in it.</summary>
        public string? LastSplitReason { get; private set; }

        /// <summary>The Metrica status to send for an order, or a fault: unmapped CRM text is never sent as if it were a status.</summary>
        public static RowFault? ResolveStatus(CrmOrder order, out string status)
        {
            status = "";
            if (!string.IsNullOrWhiteSpace(order.MetricaStatus))
            {
                try { status = StatusMap.ParseTarget(order.MetricaStatus!, order.OrderStatus); return null; }
                catch (ArgumentException ex) { return new RowFault("InvalidStatus", "order_status", order.MetricaStatus, ex.Message); }
            }
            string crm = order.OrderStatus?.Trim() ?? "";
            string upper = crm.ToUpperInvariant();
            if (upper == "CANCELED") upper = "CANCELLED";
            if (System.Linq.Enumerable.Contains(StatusMap.Types, upper)) { status = upper; return null; }
            return new RowFault(crm.Length == 0 ? "MissingStatus" : "UnmappedStatus", "order_status", crm,
                crm.Length == 0
                    ? "an order status (Metrica would count an order without one as PAID); map statuses with Convert-MetricaStatus"
                    : "a Metrica status (IN_PROGRESS, PAID, CANCELLED, SPAM or a goal id): pipe orders through Convert-MetricaStatus");
        }

        /// <summary>Adds an order; returns the file it closed to make room, which is then ready to upload.</summary>
        public SimpleOrdersFile? Add(CrmOrder order, string status)
        {
            SimpleOrdersFile? completed = null;
            if (_current != null)
            {
                bool duplicate = _current.Contains(order.Id);
                if (duplicate || _current.Rows >= _maxRows || _current.ApproximateBytes >= _maxBytes)
                {
                    LastSplitReason = duplicate ? $"order {order.Id} appears again (line {order.SourceLine}); it goes into the next upload so that it is applied after the earlier row" : null;
                    completed = Complete();
                }
            }
            _current ??= Open();
            _current.Write(order, status);
            return completed;
        }

        /// <summary>Closes the file being written, if it has rows.</summary>
        public SimpleOrdersFile? Complete()
        {
            var file = _current;
            _current = null;
            if (file == null) return null;
            file.Complete();
            file.Dispose();
            return file.Rows > 0 ? file : null;
        }

        private SimpleOrdersFile Open()
        {
            string path = Path.Combine(_directory, $"simple_orders_{++_fileNumber:D4}.csv");
            _created.Add(path);
            return new SimpleOrdersFile(path, _zone);
        }

        public void Dispose()
        {
            _current?.Dispose();
            foreach (var path in _created)
                try { File.Delete(path); } catch (IOException) { }
            try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
