using System.Buffers;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Forwards a server-sent-event stream event by event, flushing each one as soon as it is
/// complete. It reads the usage chunk to meter tokens and drops that chunk when the client did
/// not ask for it.
/// </summary>
internal static class SseRelay
{
    /// <summary>Largest single event relayed; a backend that sends more without an event boundary is cut off.</summary>
    public const int MaxEventBytes = 1024 * 1024;

    /// <summary>
    /// Relays until the backend sends <c>data: [DONE]</c> or ends its stream, goes silent for
    /// <paramref name="idle"/>, runs past <paramref name="answerLimit"/>, breaks off, sends an oversized
    /// event, or the client leaves; the result says which. Nothing is written to the client before the
    /// first complete event, nor after [DONE].
    /// </summary>
    /// <param name="upstream">The backend's event stream.</param>
    /// <param name="client">The client's response body.</param>
    /// <param name="forwardUsageChunk">Whether the client asked for the usage-only chunk.</param>
    /// <param name="idle">Longest silence from the backend.</param>
    /// <param name="clientGone">Cancelled when the client leaves.</param>
    /// <param name="beforeFirstWrite">Called once, just before the first byte goes to the client (the response starts then).</param>
    /// <param name="answerLimit">Longest the whole stream may take (null: no limit).</param>
    public static async Task<RelayResult> RelayAsync(
        Stream upstream,
        Stream client,
        bool forwardUsageChunk,
        TimeSpan idle,
        CancellationToken clientGone,
        Action? beforeFirstWrite = null,
        TimeSpan? answerLimit = null)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        // start: the first byte of the event being read; lineStart: the first byte of its line not yet ended;
        // scanned: how far that line was searched for its end already (a long line arriving in small reads is searched once).
        int start = 0, end = 0, lineStart = 0, scanned = 0;
        // The last event ended in a lone CR at the end of what had arrived: an LF first in what comes next is part of that CR's line end.
        var lineFeedMayFollow = false;
        TokenUsage? usage = null;
        long forwarded = 0;
        var events = 0;
        var text = false;
        var done = false;
        using var timer = new RelayIdleTimer(idle, answerLimit, clientGone);
        RelayResult Ended(RelayOutcome outcome) => new(outcome, usage, forwarded, events, text);
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
                        lineStart -= start;
                        scanned -= start;
                        start = 0;
                    }
                    else
                    {
                        if (buffer.Length >= MaxEventBytes)
                        {
                            return Ended(RelayOutcome.TooLarge);
                        }

                        var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxEventBytes));
                        Buffer.BlockCopy(buffer, 0, bigger, 0, end);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }
                }

                int read;
                try
                {
                    read = await upstream.ReadAsync(buffer.AsMemory(end), timer.Arm()).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return Ended(timer.Classify());
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    return Ended(clientGone.IsCancellationRequested ? RelayOutcome.ClientGone : RelayOutcome.UpstreamAborted);
                }

                if (read == 0)
                {
                    break;
                }

                end += read;
                var wroteAny = false;
                while (true)
                {
                    if (lineFeedMayFollow && lineStart == start && end > start)
                    {
                        lineFeedMayFollow = false;
                        if (buffer[start] == (byte)'\n')
                        {
                            lineStart++;
                        }
                    }

                    var eventEnd = FindEventEnd(buffer.AsSpan(0, end), ref lineStart, ref scanned);
                    if (eventEnd < 0)
                    {
                        break;
                    }

                    lineFeedMayFollow = eventEnd == end && buffer[eventEnd - 1] == (byte)'\r';
                    var evt = buffer.AsMemory(start, eventEnd - start);
                    if (!IsReadable(evt.Span))
                    {
                        return Ended(RelayOutcome.MalformedEvent);
                    }

                    if (TryReadUsage(evt.Span, out var u, out var usageOnly))
                    {
                        usage = u;
                        // Only the usage-only chunk (empty choices) is dropped; a chunk that also carries content always goes through.
                        if (!forwardUsageChunk && usageOnly)
                        {
                            start = lineStart = eventEnd;
                            continue;
                        }
                    }

                    if (!await WriteAsync(evt).ConfigureAwait(false))
                    {
                        return Ended(RelayOutcome.ClientGone);
                    }

                    text = text || CompletionText.In(evt.Span);
                    events++;
                    if (IsDone(evt.Span))
                    {
                        // The stream's last event: a backend that keeps the connection open after it (or sends more) is not waited for.
                        return Ended(await FlushAsync().ConfigureAwait(false) ? RelayOutcome.Completed : RelayOutcome.ClientGone);
                    }

                    wroteAny = true;
                    start = lineStart = eventEnd;
                }

                if (wroteAny && !await FlushAsync().ConfigureAwait(false))
                {
                    return Ended(RelayOutcome.ClientGone);
                }
            }

            if (end > start)
            {
                // A last event without its blank line: forward it as it is.
                if (!IsReadable(buffer.AsSpan(start, end - start)))
                {
                    // JSON that stops mid-value is a stream broken off mid-event, not a backend that sent something else.
                    return Ended(IsCutShort(buffer.AsSpan(start, end - start)) ? RelayOutcome.UpstreamAborted : RelayOutcome.MalformedEvent);
                }

                if (!await WriteAsync(buffer.AsMemory(start, end - start)).ConfigureAwait(false) || !await FlushAsync().ConfigureAwait(false))
                {
                    return Ended(RelayOutcome.ClientGone);
                }

                text = text || CompletionText.In(buffer.AsSpan(start, end - start));
                done |= IsDone(buffer.AsSpan(start, end - start));
            }

            // An OpenAI stream ends with "data: [DONE]"; one that stops short was broken off, even if the connection closed cleanly.
            return Ended(done || events == 0 && forwarded == 0 && usage is null ? RelayOutcome.Completed : RelayOutcome.UpstreamAborted);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        async ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> data)
        {
            if (forwarded == 0)
            {
                beforeFirstWrite?.Invoke();
            }

            try
            {
                await client.WriteAsync(data, clientGone).ConfigureAwait(false);
                forwarded += data.Length;
                return true;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // Some of it may have left: count it as sent, so that nothing retries a half-delivered answer.
                forwarded += data.Length;
                return false;
            }
        }

        async ValueTask<bool> FlushAsync()
        {
            try
            {
                await client.FlushAsync(clientGone).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The stream's end as the OpenAI SDKs read it: an event whose data starts with <c>[DONE]</c>. Not a
    /// comment or another field that happens to end with it (which clients ignore): the relay would stop
    /// there and call the answer complete while the client had not been told so.
    /// </summary>
    internal static bool IsDone(ReadOnlySpan<byte> evt)
    {
        // Nearly every event is a JSON chunk without the marker: one vectorised search rules it out.
        if (evt.IndexOf("[DONE]"u8) < 0)
        {
            return false;
        }

        ArrayBufferWriter<byte>? scratch = null;
        return SseEventData.Of(evt, ref scratch).StartsWith("[DONE]"u8);
    }

    /// <summary>
    /// Whether the SDKs can read the event: its data is one JSON value, or starts with <c>[DONE]</c>, or there is none
    /// (a comment, another field, an empty data line). Anything else makes the client's parser throw a JSON error of its
    /// own mid-stream, and the audit would have called the answer complete; such an event is not relayed, and the
    /// answer ends with an error event that names the backend instead.
    /// </summary>
    internal static bool IsReadable(ReadOnlySpan<byte> evt)
    {
        ArrayBufferWriter<byte>? scratch = null;
        var data = SseEventData.Of(evt, ref scratch).Trim(" \t\r\n"u8);
        if (data.IsEmpty || data.StartsWith("[DONE]"u8))
        {
            return true;
        }

        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(data);
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            // A second value after the first (or anything but white space) is refused by the reader here.
            return !reader.Read();
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>Whether an event's data is the start of JSON that stops before its value ends (<c>{"choices":[</c>), as a stream cut off mid-event leaves it.</summary>
    internal static bool IsCutShort(ReadOnlySpan<byte> evt)
    {
        ArrayBufferWriter<byte>? scratch = null;
        var data = SseEventData.Of(evt, ref scratch).Trim(" \t\r\n"u8);
        if (data.IsEmpty)
        {
            return false;
        }

        try
        {
            // Not the final block: where the bytes run out inside a value the reader asks for more instead of throwing.
            var reader = new System.Text.Json.Utf8JsonReader(data, isFinalBlock: false, state: default);
            while (reader.Read())
            {
            }

            return reader.CurrentDepth > 0 || reader.BytesConsumed < data.Length;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads lines from <paramref name="lineStart"/> (the start of a line) to the end of <paramref name="buffer"/>, as a
    /// client's SSE parser reads them: a line ends in CRLF, LF or a lone CR, and an empty line ends the event. Returns the
    /// index just past that empty line's end, or -1 when the event has not ended yet: <paramref name="lineStart"/> then
    /// points past the lines already read and <paramref name="scanned"/> past the bytes of the unfinished line already
    /// searched, so that a line arriving a few bytes at a time is searched once, not once per read. Reading only LF and
    /// CRLF, a backend that frames with CR alone (which the SDKs accept) was one endless event: held until 1 MiB and cut
    /// off as too large.
    /// </summary>
    internal static int FindEventEnd(ReadOnlySpan<byte> buffer, ref int lineStart, ref int scanned)
    {
        while (true)
        {
            var from = Math.Max(lineStart, scanned);
            var found = buffer[from..].IndexOfAny((byte)'\r', (byte)'\n');
            if (found < 0)
            {
                scanned = buffer.Length;
                return -1;
            }

            var lineEnd = from + found;
            var length = lineEnd - lineStart;
            int next;
            if (buffer[lineEnd] == (byte)'\n')
            {
                next = lineEnd + 1;
            }
            else if (lineEnd + 1 < buffer.Length)
            {
                next = buffer[lineEnd + 1] == (byte)'\n' ? lineEnd + 2 : lineEnd + 1;
            }
            else if (length == 0 && !(lineStart >= 2 && buffer[lineStart - 1] == (byte)'\n' && buffer[lineStart - 2] == (byte)'\r'))
            {
                // An empty line ending in CR, the last byte that has arrived, after a line that ended in a lone CR: the
                // backend frames with CR alone and may send nothing more for a while (after [DONE], nothing at all), so
                // the event is over now. After a CRLF line end its LF is on the way: it is waited for (below), so that
                // the event is relayed whole.
                return lineEnd + 1;
            }
            else
            {
                // A line ending in CR, the last byte that has arrived: where the next line starts is not known yet. The
                // CR is looked at again when more has arrived.
                scanned = lineEnd;
                return -1;
            }

            if (length == 0)
            {
                return next;
            }

            lineStart = next;
        }
    }

    /// <summary>True for a <c>data:</c> event whose JSON carries a non-null usage object.</summary>
    internal static bool TryReadUsage(ReadOnlySpan<byte> evt, out TokenUsage usage) => TryReadUsage(evt, out usage, out _);

    /// <summary>Also says whether the chunk is usage only (its <c>choices</c> is empty or absent).</summary>
    internal static bool TryReadUsage(ReadOnlySpan<byte> evt, out TokenUsage usage, out bool usageOnly)
    {
        usage = default;
        usageOnly = false;
        // A key spelled with an escape ("u\u0073age") is still the usage the client reads.
        if (evt.IndexOf("\"usage\""u8) < 0 && evt.IndexOf((byte)'\\') < 0)
        {
            return false;
        }

        ArrayBufferWriter<byte>? scratch = null;
        var payload = SseEventData.Of(evt, ref scratch).Trim(" \t\r\n"u8);
        if (payload.IsEmpty || !TokenUsage.TryRead(payload, out usage))
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

            // A key given twice counts as the client's parser reads it: the last one.
            var hasChoices = false;
            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var isChoices = reader.ValueTextEquals("choices"u8);
                reader.Read();
                if (isChoices)
                {
                    // A copy looks at the first element; the reader itself skips the whole value.
                    var peek = reader;
                    hasChoices = peek.TokenType == System.Text.Json.JsonTokenType.StartArray
                        && peek.Read() && peek.TokenType != System.Text.Json.JsonTokenType.EndArray;
                }

                reader.Skip();
            }

            return hasChoices;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
        }

        return false;
    }
}
