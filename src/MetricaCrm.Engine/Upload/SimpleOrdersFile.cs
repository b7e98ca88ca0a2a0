using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using CsvHelper;
using MetricaCrm.Engine.Orders;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>
    /// One simple_orders upload file being written: UTF-8 without BOM, the documented header, multi-value cells quoted
    /// and comma-joined, date-times as yyyy-MM-dd HH:mm:ss in the counter's zone. It knows when it is full
    /// (row or byte limit) and when an order id repeats, since Metrica applies duplicates in one file in random order.
    /// </summary>
    public sealed class SimpleOrdersFile : IDisposable
    {
        public static readonly string[] Header =
            { "id", "create_date_time", "client_uniq_id", "client_ids", "emails", "phones", "emails_md5", "phones_md5", "order_status", "revenue", "cost", "goals", "currency" };

        private readonly CsvWriter _writer;
        private readonly FileStream _stream;
        private readonly TimeZoneInfo _counterZone;
        // 64-bit hashes of ids: constant size per row, and a rare false "duplicate" only starts the next file early.
        private readonly HashSet<ulong> _ids = new HashSet<ulong>();

        public SimpleOrdersFile(string path, TimeZoneInfo counterZone)
        {
            Path = path;
            _counterZone = counterZone;
            _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            _writer = CsvWriter.Create(_stream, CsvWriterOptions.Default with { NewLine = "\n", WriteByteOrderMark = false }, leaveOpen: true);
            _writer.WriteHeader(Header);
        }

        public string Path { get; }
        public long Rows { get; private set; }
        public long FirstLine { get; private set; } = -1;

        /// <summary>Bytes written so far (flushed or buffered, approximately).</summary>
        public long ApproximateBytes => _stream.Position + (1 << 16);

        public bool Contains(string orderId) => _ids.Contains(Hash(orderId));

        public void Write(CrmOrder order, string status)
        {
            _ids.Add(Hash(order.Id));
            var local = TimeZoneInfo.ConvertTime(order.CreateDateTime, _counterZone);
            _writer.WriteField(order.Id);
            _writer.WriteField(local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            _writer.WriteField(order.ClientUniqId ?? "");
            Multi(order.ClientIds);
            Multi(order.Emails);
            Multi(order.Phones);
            Multi(order.EmailsMd5);
            Multi(order.PhonesMd5);
            _writer.WriteField(status);
            _writer.WriteField(order.Revenue?.ToString(CultureInfo.InvariantCulture) ?? "");
            _writer.WriteField(order.Cost?.ToString(CultureInfo.InvariantCulture) ?? "");
            Multi(order.Goals);
            _writer.WriteField(order.Currency ?? "");
            _writer.EndRecord();
            Rows++;
        }

        private void Multi(string[] values)
        {
            if (values.Length == 0) _writer.WriteField("");
            else _writer.WriteField(string.Join(",", values), CsvQuoting.Always);
        }

        public void Complete()
        {
            _writer.Flush();
            _stream.Flush();
        }

        private static ulong Hash(string s)
        {
            // FNV-1a, 64-bit: stable and allocation-free.
            ulong h = 14695981039346656037UL;
            foreach (char c in s)
            {
                h ^= c;
                h *= 1099511628211UL;
            }
            return h;
        }

        public void Dispose()
        {
            _writer.Dispose();
            _stream.Dispose();
        }
    }
}
