namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>A backend body that never ends: <paramref name="piece"/> again every <paramref name="interval"/>, well inside any idle timeout.</summary>
internal sealed class TricklingStream(byte[] piece, TimeSpan interval) : BackendBodyStream
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        var count = Math.Min(buffer.Length, piece.Length);
        piece.AsMemory(0, count).CopyTo(buffer);
        return count;
    }
}
