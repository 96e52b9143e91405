namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>A backend body that sends its bytes and then keeps the connection open, silent, until the reader gives up.</summary>
internal sealed class OpenEndedStream(byte[] content) : BackendBodyStream
{
    private int _position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position == content.Length)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        var count = Math.Min(buffer.Length, content.Length - _position);
        content.AsMemory(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }
}
