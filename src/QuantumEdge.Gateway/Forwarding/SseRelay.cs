using System.Buffers;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Forwards a server-sent-event stream event by event, flushing each one as soon as it is
/// complete. It reads the usage chunk to meter tokens and drops that chunk when the client did
/// not ask for it.
/// </summary>
public static class SseRelay
{
    /// <summary>Largest single event relayed; a backend that sends more without an event boundary is cut off.</summary>
    public const int MaxEventBytes = 1024 * 1024;

    /// <summary>What crossed the relay.</summary>
    public readonly record struct Result(TokenUsage? Usage, long BytesForwarded, int Events);

    public static async Task<Result> RelayAsync(
        Stream upstream,
        Stream client,
        bool forwardUsageChunk,
        CancellationTokenSource idleTimeout,
        TimeSpan idle,
        CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        int start = 0, end = 0, scanFrom = 0;
        TokenUsage? usage = null;
        long forwarded = 0;
        var events = 0;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        scanFrom -= start;
                        start = 0;
                    }
                    else
                    {
                        if (buffer.Length >= MaxEventBytes)
                        {
                            throw new InvalidDataException($"the backend sent a server-sent event larger than {MaxEventBytes} bytes");
                        }

                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxEventBytes));
                        Buffer.BlockCopy(buffer, 0, bigger, 0, end);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                }

                idleTimeout.CancelAfter(idle);
                var read = await upstream.ReadAsync(buffer.AsMemory(end), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                end += read;
                var wroteAny = false;
                while (TryFindEventEnd(buffer.AsSpan(scanFrom, end - scanFrom), out var rel, out var delimiterLength))
                {
                    var eventEnd = scanFrom + rel + delimiterLength;
                    var evt = buffer.AsMemory(start, eventEnd - start);
                    if (TryReadUsage(evt.Span, out var u, out var usageOnly))
                    {
                        usage = u;
                        // Only the usage-only chunk (empty choices) is dropped; a chunk that also carries content always goes through.
                        if (!forwardUsageChunk && usageOnly)
                        {
                            start = scanFrom = eventEnd;
                            continue;
                        }
                    }

                    await client.WriteAsync(evt, ct).ConfigureAwait(false);
                    forwarded += evt.Length;
                    events++;
                    wroteAny = true;
                    start = scanFrom = eventEnd;
                }

                scanFrom = Math.Max(start, end - 3);
                if (wroteAny)
                {
                    await client.FlushAsync(ct).ConfigureAwait(false);
                }
            }

            if (end > start)
            {
                // A last event without its blank line: forward it as it is.
                await client.WriteAsync(buffer.AsMemory(start, end - start), ct).ConfigureAwait(false);
                forwarded += end - start;
                await client.FlushAsync(ct).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new Result(usage, forwarded, events);
    }

    private static bool TryFindEventEnd(ReadOnlySpan<byte> span, out int index, out int delimiterLength)
    {
        for (var i = 0; i < span.Length - 1; i++)
        {
            if (span[i] == '\n' && span[i + 1] == '\n')
            {
                index = i;
                delimiterLength = 2;
                return true;
            }

            if (span[i] == '\r' && i + 3 < span.Length && span[i + 1] == '\n' && span[i + 2] == '\r' && span[i + 3] == '\n')
            {
                index = i;
                delimiterLength = 4;
                return true;
            }
        }

        index = -1;
        delimiterLength = 0;
        return false;
    }

    /// <summary>True for a <c>data:</c> event whose JSON carries a non-null usage object.</summary>
    internal static bool TryReadUsage(ReadOnlySpan<byte> evt, out TokenUsage usage) => TryReadUsage(evt, out usage, out _);

    /// <summary>Also says whether the chunk is usage only (its <c>choices</c> is empty or absent).</summary>
    internal static bool TryReadUsage(ReadOnlySpan<byte> evt, out TokenUsage usage, out bool usageOnly)
    {
        usage = default;
        usageOnly = false;
        if (evt.IndexOf("\"usage\""u8) < 0)
        {
            return false;
        }

        var data = evt.IndexOf("data:"u8);
        if (data < 0)
        {
            return false;
        }

        var payload = evt[(data + 5)..].Trim((byte)' ').TrimEnd("\r\n"u8);
        if (!TokenUsage.TryRead(payload, out usage))
        {
            return false;
        }

        usageOnly = !HasChoices(payload);
        return true;
    }

    private static bool HasChoices(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var isChoices = reader.ValueTextEquals("choices"u8);
                reader.Read();
                if (isChoices)
                {
                    return reader.TokenType == System.Text.Json.JsonTokenType.StartArray
                        && reader.Read() && reader.TokenType != System.Text.Json.JsonTokenType.EndArray;
                }

                reader.Skip();
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return false;
    }
}
