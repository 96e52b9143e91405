namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>A backend body that never ends: <paramref name="piece"/> again every <paramref name="interval"/>, well inside any idle timeout.</summary>
internal sealed class TricklingStream(byte[] piece, TimeSpan interval) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        var count = Math.Min(buffer.Length, piece.Length);
        piece.AsMemory(0, count).CopyTo(buffer);
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
