using System.Buffers;
using System.Text.Json;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Tells whether a streamed event carries completion text: a non-empty <c>content</c>,
/// <c>text</c>, <c>refusal</c>, <c>reasoning_content</c> or tool-call <c>arguments</c> string.
/// A chunk with only the role or a finish reason discloses nothing, so a stream cut before any
/// text keeps no privacy charge. A wrong "no" releases a charge for text the client read, so the
/// answer leans to "yes": the usual form (<c>"content":"…"</c>) is found on the raw bytes; anything
/// else is read as the client's JSON parser would read it (escaped keys such as
/// <c>"con\u0074ent"</c>, line breaks around the colon, several <c>data:</c> lines), and an
/// event whose data is not one complete JSON value (cut short, malformed) counts as text.
/// </summary>
internal static class CompletionText
{
    private static readonly byte[][] Keys =
    [
        "content"u8.ToArray(),
        "text"u8.ToArray(),
        "refusal"u8.ToArray(),
        "reasoning_content"u8.ToArray(),
        "arguments"u8.ToArray(),
    ];

    /// <summary>The keys as they appear plainly in the bytes, quotes included: what the raw scan looks for.</summary>
    private static readonly byte[][] QuotedKeys = [.. Keys.Select(k => (byte[])[(byte)'"', .. k, (byte)'"'])];

    public static bool In(ReadOnlySpan<byte> sseEvent) => InRawForm(sseEvent) || InParsedData(sseEvent);

    /// <summary>The common case, without parsing: a key spelled plainly, a colon, and a string that is not empty.</summary>
    private static bool InRawForm(ReadOnlySpan<byte> chunk)
    {
        foreach (var needle in QuotedKeys)
        {
            var rest = chunk;
            int at;
            while ((at = rest.IndexOf(needle)) >= 0)
            {
                rest = rest[(at + needle.Length)..];
                var after = rest.TrimStart(" \t"u8);
                if (after.Length > 0 && after[0] == (byte)':')
                {
                    after = after[1..].TrimStart(" \t"u8);
                    // A string value that is not empty ("" is no text; a quote right after the opening one ends it).
                    if (after.Length >= 2 && after[0] == (byte)'"' && after[1] != (byte)'"')
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>The event's data as JSON: any text key (escapes decoded) with a non-empty string.</summary>
    private static bool InParsedData(ReadOnlySpan<byte> sseEvent)
    {
        ArrayBufferWriter<byte>? scratch = null;
        var data = SseEventData.Of(sseEvent, ref scratch).Trim(" \t\r\n"u8);
        if (data.Length == 0 || data.SequenceEqual("[DONE]"u8))
        {
            return false;
        }

        var reader = new Utf8JsonReader(data);
        var textKeyPending = false;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    textKeyPending = IsTextKey(ref reader);
                    continue;
                }

                // A bare string as the whole data is text too.
                if ((textKeyPending || reader.CurrentDepth == 0) && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
                {
                    return true;
                }

                textKeyPending = false;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not one complete JSON value (cut short, malformed, a key escaping a lone surrogate that
            // cannot be compared): what the client makes of it is unknown, so it counts as text.
            return true;
        }

        return false;
    }

    private static bool IsTextKey(ref Utf8JsonReader reader)
    {
        foreach (var key in Keys)
        {
            if (reader.ValueTextEquals(key))
            {
                return true;
            }
        }

        return false;
    }
}
