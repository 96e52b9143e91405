namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>
/// An upstream that hands its bytes out in small, uneven pieces (as a network does), cycling
/// through sizes 1…<c>maxFragment</c>, and counts what it has delivered so far.
/// </summary>
internal sealed class FragmentingStream(byte[] data, int maxFragment) : Stream
{
    private int _position;
    private int _reads;

    public int Delivered => _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => data.Length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // 1, 4, 7, 3, 6, 2, 5, … for maxFragment 7: every size, in no tidy order.
        var size = maxFragment <= 1 ? 1 : 1 + (_reads++ * 3 % maxFragment);
        var n = Math.Min(Math.Min(size, buffer.Length), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
