using System;
using System.IO;

namespace MetricaCrm.Engine.Ingest
{
    /// <summary>A forward-only stream that reads another one and changes what it gives (the CSV reader's filters); it owns the other.</summary>
    public abstract class ReadOnlyFilterStream : Stream
    {
        protected ReadOnlyFilterStream(Stream inner) => Inner = inner;

        /// <summary>The stream read from.</summary>
        protected Stream Inner { get; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) Inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
