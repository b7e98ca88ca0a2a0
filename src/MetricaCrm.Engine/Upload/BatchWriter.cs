using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using CsvHelper;

namespace MetricaCrm.Engine.Upload
{
    /// <summary>One batch file being written, record by record. It knows its size so the session can cut batches in time.</summary>
    public abstract class BatchWriter<TRecord> : IDisposable where TRecord : class
    {
        protected BatchWriter(string path)
        {
            Path = path;
            Stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
            Storage.PrivateFiles.RestrictFile(path);
        }

        public string Path { get; }
        public long Rows { get; private set; }
        protected FileStream Stream { get; }

        /// <summary>Bytes written so far, flushed or buffered (an upper bound).</summary>
        public abstract long ApproximateBytes { get; }

        public void Write(TRecord record)
        {
            WriteRecord(record);
            Rows++;
        }

        protected abstract void WriteRecord(TRecord record);

        /// <summary>Finishes the file (closing brackets, buffers) so it can be sent.</summary>
        public abstract void Complete();

        public virtual void Dispose() => Stream.Dispose();
    }

    /// <summary>
    /// A CSV batch: UTF-8 without BOM (Metrica's tolerance of a BOM is unconfirmed), '\n' line ends, a header of documented
    /// column names (see <see cref="FilledColumnsCsvWriter{TRecord}"/> for which).
    /// </summary>
    public abstract class CsvBatchWriter<TRecord> : BatchWriter<TRecord> where TRecord : class
    {
        protected CsvBatchWriter(string path, string[] header) : base(path)
        {
            Csv = CsvWriter.Create(Stream, CsvWriterOptions.Default with { NewLine = "\n", WriteByteOrderMark = false }, leaveOpen: true);
            Csv.WriteHeader(header);
        }

        protected CsvWriter Csv { get; }

        public override long ApproximateBytes => Stream.Position + (1 << 16);

        public override void Complete()
        {
            Csv.Flush();
            Stream.Flush();
        }

        public override void Dispose()
        {
            Csv.Dispose();
            base.Dispose();
        }
    }

    /// <summary>A CDP JSON batch: <c>{"&lt;property&gt;":[ ...records... ]}</c>, UTF-8, streamed record by record.</summary>
    public abstract class JsonBatchWriter<TRecord> : BatchWriter<TRecord> where TRecord : class
    {
        protected JsonBatchWriter(string path, string arrayProperty) : base(path)
        {
            Json = new Utf8JsonWriter(Stream, new JsonWriterOptions { SkipValidation = false });
            Json.WriteStartObject();
            Json.WriteStartArray(arrayProperty);
        }

        protected Utf8JsonWriter Json { get; }

        public override long ApproximateBytes => Json.BytesCommitted + Json.BytesPending;

        protected override void WriteRecord(TRecord record)
        {
            Json.WriteStartObject();
            WriteProperties(record);
            Json.WriteEndObject();
            if (Json.BytesPending > 1 << 16) Json.Flush();
        }

        protected abstract void WriteProperties(TRecord record);

        public override void Complete()
        {
            Json.WriteEndArray();
            Json.WriteEndObject();
            Json.Flush();
            Stream.Flush();
        }

        public override void Dispose()
        {
            Json.Dispose();
            base.Dispose();
        }
    }

    /// <summary>A completed batch, ready to send.</summary>
    public sealed class BatchFile
    {
        public BatchFile(string path, long rows, string contentType)
        {
            Path = path;
            Rows = rows;
            ContentType = contentType;
        }

        public string Path { get; }
        public long Rows { get; }
        /// <summary>text/csv (sent as a multipart part named "file") or application/json (sent as the body).</summary>
        public string ContentType { get; }
        public string Name => System.IO.Path.GetFileName(Path);

        /// <summary>Where each row of the file came from, in file order; null when not known (a batch sent again by a resume).</summary>
        public (RecordOrigin Origin, string RecordId)[]? RowSources { get; set; }

        /// <summary>What the upload journal says of the file's records (": 3 new, 1 changed"), for its confirmation; empty when nothing was compared.</summary>
        public string AgainstJournal { get; set; } = "";

        /// <summary>
        /// The source of the row Metrica names in "ошибка в строке номер N". Whether N counts the header line is
        /// unconfirmed; the sandbox counts it (the header is line 1), so row N - 1 of the data is taken, and the text says
        /// which reading it used.
        /// </summary>
        public string? DescribeLine(string apiMessage)
        {
            var match = System.Text.RegularExpressions.Regex.Match(apiMessage, @"строке номер\s+(\d+)");
            if (RowSources == null || ContentType != "text/csv" || !match.Success || !long.TryParse(match.Groups[1].Value, out long line)) return null;
            long index = line - 2;
            if (index < 0 || index >= RowSources.Length) return line == 1 ? $"Line 1 of {Name} is its header." : null;
            var (origin, id) = RowSources[index];
            return $"Line {line} of {Name} (its header is line 1) is record {id} from {origin.Source}, line {origin.Line}.";
        }
    }
}
