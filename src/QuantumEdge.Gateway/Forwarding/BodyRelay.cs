using System.Buffers;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Relays a non-streamed answer to the client as it arrives, never holding more than one read
/// buffer and a small tail of it: memory stays bounded however large the answer and however many
/// run at once. The usage for metering is read from the tail, where OpenAI-style answers put it.
/// </summary>
internal static class BodyRelay
{
    /// <summary>Bytes of the answer's end kept to find its <c>usage</c> object.</summary>
    public const int TailBytes = 16 * 1024;

    private const int ChunkBytes = 64 * 1024;

    /// <param name="upstream">The backend's answer body.</param>
    /// <param name="client">The client's response body.</param>
    /// <param name="maxBytes">Largest answer relayed; past it the relay stops with <see cref="RelayOutcome.TooLarge"/>.</param>
    /// <param name="idle">Longest silence from the backend.</param>
    /// <param name="clientGone">Cancelled when the client leaves.</param>
    /// <param name="beforeFirstWrite">Called once, just before the first byte goes to the client (the response starts then).</param>
    /// <param name="answerLimit">Longest the whole body may take (null: no limit).</param>
    public static async ValueTask<RelayResult> RelayAsync(Stream upstream, Stream client, long maxBytes, TimeSpan idle, CancellationToken clientGone,
        Action? beforeFirstWrite = null, TimeSpan? answerLimit = null)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        var tail = ArrayPool<byte>.Shared.Rent(TailBytes);
        var tailLength = 0;
        long forwarded = 0;
        using var timer = new RelayIdleTimer(idle, answerLimit, clientGone);
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await upstream.ReadAsync(chunk, timer.Arm()).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return new RelayResult(timer.Classify(), null, forwarded, 0, forwarded > 0);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    return new RelayResult(clientGone.IsCancellationRequested ? RelayOutcome.ClientGone : RelayOutcome.UpstreamAborted, null, forwarded, 0, forwarded > 0);
                }

                if (read == 0)
                {
                    break;
                }

                if (forwarded + read > maxBytes)
                {
                    return new RelayResult(RelayOutcome.TooLarge, null, forwarded, 0, forwarded > 0);
                }

                KeepTail(tail, ref tailLength, chunk.AsSpan(0, read));
                if (forwarded == 0)
                {
                    beforeFirstWrite?.Invoke();
                }

                try
                {
                    await client.WriteAsync(chunk.AsMemory(0, read), clientGone).ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                    return new RelayResult(RelayOutcome.ClientGone, null, forwarded, 0, true);
                }

                forwarded += read;
            }

            if (forwarded == 0)
            {
                beforeFirstWrite?.Invoke();
            }

            return new RelayResult(RelayOutcome.Completed, TokenUsage.TryReadFromTail(tail.AsSpan(0, tailLength), out var usage) ? usage : null, forwarded, 0, forwarded > 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            ArrayPool<byte>.Shared.Return(tail);
        }
    }

    private static void KeepTail(byte[] tail, ref int length, ReadOnlySpan<byte> data)
    {
        if (data.Length >= TailBytes)
        {
            data[^TailBytes..].CopyTo(tail);
            length = TailBytes;
            return;
        }

        var keep = Math.Min(length, TailBytes - data.Length);
        if (keep < length)
        {
            Buffer.BlockCopy(tail, length - keep, tail, 0, keep);
        }

        data.CopyTo(tail.AsSpan(keep));
        length = keep + data.Length;
    }
}
