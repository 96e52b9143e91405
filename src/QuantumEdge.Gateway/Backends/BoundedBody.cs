using System.Buffers;

namespace QuantumEdge.Gateway.Backends;

/// <summary>
/// Reads a backend's answer body into memory up to a cap. Used for the small answers the gateway
/// itself consumes (health probes, metrics); an answer past the cap is refused without reading
/// the rest, so a backend that streams forever costs at most the cap.
/// </summary>
internal static class BoundedBody
{
    /// <summary>The body, or null when it is larger than <paramref name="cap"/> bytes.</summary>
    public static async Task<byte[]?> ReadAsync(HttpContent content, int cap, CancellationToken ct)
    {
        if (content.Headers.ContentLength > cap)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(cap + 1, 16 * 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > cap)
                    {
                        return null;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(cap + 1, buffer.Length * 2));
                    Buffer.BlockCopy(buffer, 0, bigger, 0, length);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                length += read;
                if (length > cap)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
