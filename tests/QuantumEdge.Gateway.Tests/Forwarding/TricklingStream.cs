namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>
/// A backend body that never ends: <paramref name="piece"/> again every <paramref name="interval"/>, well inside any
/// idle timeout. The first <paramref name="atOnce"/> pieces come without waiting, so what a test asserts about them
/// does not depend on how soon a loaded machine runs the timers.
/// </summary>
internal sealed class TricklingStream(byte[] piece, TimeSpan interval, int atOnce = 2) : BackendBodyStream
{
    private int _reads;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (++_reads > atOnce)
        {
            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
        }

        var count = Math.Min(buffer.Length, piece.Length);
        piece.AsMemory(0, count).CopyTo(buffer);
        return count;
    }
}
