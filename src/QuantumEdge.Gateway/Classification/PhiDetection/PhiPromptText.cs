using System.Text.Json;

namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// The text of a request body that a backend will read, as one block for the detector: every
/// string value at any depth (message content, content parts, tool-call arguments, names,
/// <c>prompt</c>, <c>input</c>, metadata) written as "key: value" lines so that a JSON key such as
/// "mrn" is context for its value, and numbers that are property values. Values of keys that
/// only steer the API (model, role, type …) and inline media ("data:" URLs) are left out.
/// Reads the body with <see cref="Utf8JsonReader"/> into the caller's buffer: no allocation.
/// </summary>
internal static class PhiPromptText
{
    private static readonly string[] SkippedKeys = ["model", "role", "type", "encoding_format", "object", "finish_reason", "tool_call_id", "id", "detail", "format"];

    /// <summary>The buffer length <see cref="Extract"/> needs for a body of <paramref name="utf8Length"/> bytes.</summary>
    public static int MaxLength(int utf8Length) => utf8Length + 16;

    /// <summary>Writes the text of <paramref name="utf8Body"/> into <paramref name="output"/>; returns its length. A body that is not JSON is scanned as text.</summary>
    public static int Extract(ReadOnlySpan<byte> utf8Body, Span<char> output)
    {
        // Every value written is shorter than its JSON form: "k":"v" is |k|+|v|+5 bytes and is written as
        // |k|+|v|+3 characters; an array element "v" (|v|+2 bytes) as |v|+1.
        var n = 0;
        try
        {
            var reader = new Utf8JsonReader(utf8Body, new JsonReaderOptions { MaxDepth = 64 });
            var keyStart = -1;
            var keyLength = 0;
            var skip = false;
            Span<char> keyBuffer = stackalloc char[64];
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        keyLength = reader.HasValueSequence || reader.ValueSpan.Length > keyBuffer.Length ? 0 : reader.CopyString(keyBuffer);
                        skip = IsSkipped(keyBuffer[..keyLength]);
                        keyStart = 0;
                        break;
                    case JsonTokenType.String:
                        if (!skip && !IsMedia(ref reader))
                        {
                            n = WriteKey(output, n, keyStart >= 0 ? keyBuffer[..keyLength] : []);
                            n += reader.CopyString(output[n..]);
                            output[n++] = '\n';
                        }

                        keyStart = -1;
                        break;
                    case JsonTokenType.Number:
                        if (!skip && keyStart >= 0)
                        {
                            n = WriteKey(output, n, keyBuffer[..keyLength]);
                            foreach (var b in reader.ValueSpan)
                            {
                                output[n++] = (char)b;
                            }

                            output[n++] = '\n';
                        }

                        keyStart = -1;
                        break;
                    case JsonTokenType.StartObject:
                        keyStart = -1;
                        skip = false;
                        break;
                    default:
                        keyStart = -1;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // The gateway parses bodies before this runs; anything else is scanned as raw text.
            n = System.Text.Encoding.UTF8.GetChars(utf8Body, output);
        }

        return n;
    }

    private static int WriteKey(Span<char> output, int n, ReadOnlySpan<char> key)
    {
        if (key.Length == 0)
        {
            return n;
        }

        key.CopyTo(output[n..]);
        n += key.Length;
        output[n++] = ':';
        output[n++] = ' ';
        return n;
    }

    private static bool IsSkipped(ReadOnlySpan<char> key)
    {
        foreach (var k in SkippedKeys)
        {
            if (key.SequenceEqual(k))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsMedia(ref Utf8JsonReader reader) =>
        !reader.HasValueSequence && !reader.ValueIsEscaped && reader.ValueSpan.StartsWith("data:"u8) && reader.ValueSpan.IndexOf(";base64,"u8) is > 0 and < 128;
}
