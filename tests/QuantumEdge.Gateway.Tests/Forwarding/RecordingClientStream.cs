namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>
/// A client connection that keeps what was written and, at every flush, notes how much the
/// client had received and how much the upstream had delivered at that moment.
/// </summary>
internal sealed class RecordingClientStream(Func<int> upstreamDelivered) : Stream
{
    private readonly MemoryStream _written = new();

    public List<(long ClientBytes, int UpstreamDelivered)> Flushes { get; } = [];

    public byte[] Written => _written.ToArray();

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _written.Length;

    public override long Position
    {
        get => _written.Length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => _written.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _written.Write(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _written.Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _written.Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override void Flush() => Flushes.Add((_written.Length, upstreamDelivered()));

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _written.Dispose();
        }

        base.Dispose(disposing);
    }
}
