using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// The "client" of a batch line in the inference pipeline: the answer is kept in memory (a line
/// is never streamed, and an answer over <see cref="MaxAnswerBytes"/> is cut off and fails the
/// line) until it is written to the batch's results log.
/// </summary>
internal sealed class BatchLineClient(CancellationToken gone) : IInferenceClient
{
    /// <summary>Largest answer one batch line keeps.</summary>
    public const int MaxAnswerBytes = 8 * 1024 * 1024;

    private readonly CappedMemoryStream _body = new(MaxAnswerBytes);

    public CancellationToken Gone => gone;
    public bool HasStarted { get; private set; }
    public Stream Body => _body;
    public AnswerHead? Head { get; private set; }
    public bool Aborted { get; private set; }
    public bool TooLarge => _body.Overflowed;

    public ReadOnlyMemory<byte> Answer => _body.GetBuffer().AsMemory(0, (int)_body.Length);

    public void Begin(AnswerHead head)
    {
        Head = head;
        HasStarted = true;
    }

    public void Abort() => Aborted = true;

    /// <summary>A write-only in-memory stream that stops growing at its cap and remembers that it had to.</summary>
    private sealed class CappedMemoryStream(int cap) : Stream
    {
        private readonly MemoryStream _memory = new();

        public bool Overflowed { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _memory.Length;
        public override long Position { get => _memory.Length; set => throw new NotSupportedException(); }

        public byte[] GetBuffer() => _memory.GetBuffer();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_memory.Length + buffer.Length > cap)
            {
                Overflowed = true;
                throw new IOException($"a batch line's answer is larger than {cap} bytes");
            }

            _memory.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _memory.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
