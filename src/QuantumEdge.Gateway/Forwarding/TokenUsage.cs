using System.Text.Json;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>Token counts from an OpenAI <c>usage</c> object.</summary>
public readonly record struct TokenUsage(int PromptTokens, int CompletionTokens)
{
    /// <summary>
    /// Finds a top-level <c>"usage": {…}</c> object in a JSON document and reads its counts.
    /// False when there is none or it is null (streamed chunks carry <c>"usage": null</c>). A key
    /// given twice counts as the client's parser reads it: the last one (as the tail reader does).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out TokenUsage usage) => TryRead(json, out usage, out _);

    /// <param name="json">The document.</param>
    /// <param name="usage">The counts, when found.</param>
    /// <param name="parsed">Whether <paramref name="json"/> was one whole JSON document (then "no usage" is the answer, not "unknown").</param>
    private static bool TryRead(ReadOnlySpan<byte> json, out TokenUsage usage, out bool parsed)
    {
        usage = default;
        parsed = false;
        var found = false;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUsage = reader.ValueTextEquals("usage"u8);
                reader.Read();
                if (!isUsage || reader.TokenType != JsonTokenType.StartObject)
                {
                    found &= !isUsage;
                    reader.Skip();
                    continue;
                }

                int prompt = 0, completion = 0;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isPrompt = reader.ValueTextEquals("prompt_tokens"u8);
                    var isCompletion = reader.ValueTextEquals("completion_tokens"u8);
                    reader.Read();
                    if (isPrompt && reader.TokenType == JsonTokenType.Number)
                    {
                        prompt = Count(ref reader);
                    }
                    else if (isCompletion && reader.TokenType == JsonTokenType.Number)
                    {
                        completion = Count(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }

                usage = new TokenUsage(prompt, completion);
                found = true;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a key escaping a lone surrogate cannot be compared.
            usage = default;
            return false;
        }

        parsed = true;
        if (!found)
        {
            usage = default;
        }

        return found;
    }

    /// <summary>
    /// Reads the usage from the end of a JSON answer whose start may be missing (a large answer is
    /// relayed, not held): the whole document when it fits, else the last unescaped
    /// <c>"usage":</c> in the tail, which is what a client's parser keeps (a null there is no usage).
    /// </summary>
    public static bool TryReadFromTail(ReadOnlySpan<byte> tail, out TokenUsage usage)
    {
        if (TryRead(tail, out usage, out var whole))
        {
            return true;
        }

        if (whole)
        {
            // The whole answer was read: it has no usage.
            return false;
        }

        var end = tail.Length;
        while (end > 0)
        {
            var at = tail[..end].LastIndexOf("\"usage\""u8);
            if (at < 0)
            {
                break;
            }

            end = at;
            if (at > 0 && tail[at - 1] == (byte)'\\')
            {
                continue;
            }

            var rest = tail[(at + 7)..].TrimStart(" \t\r\n"u8);
            if (rest.IsEmpty || rest[0] != (byte)':')
            {
                continue;
            }

            rest = rest[1..].TrimStart(" \t\r\n"u8);
            return TryReadObject(rest, out usage);
        }

        usage = default;
        return false;
    }

    /// <summary>Reads a usage object at the start of <paramref name="json"/>; what follows it is not looked at.</summary>
    private static bool TryReadObject(ReadOnlySpan<byte> json, out TokenUsage usage)
    {
        usage = default;
        try
        {
            var reader = new Utf8JsonReader(json, isFinalBlock: false, state: default);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            int prompt = 0, completion = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isPrompt = reader.ValueTextEquals("prompt_tokens"u8);
                var isCompletion = reader.ValueTextEquals("completion_tokens"u8);
                if (!reader.Read())
                {
                    return false;
                }

                if (isPrompt && reader.TokenType == JsonTokenType.Number)
                {
                    prompt = Count(ref reader);
                }
                else if (isCompletion && reader.TokenType == JsonTokenType.Number)
                {
                    completion = Count(ref reader);
                }
                else if (!reader.TrySkip())
                {
                    return false;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                return false;
            }

            usage = new TokenUsage(prompt, completion);
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    // A backend's numbers are not trusted to fit an int: "12.0" or 1e12 must not throw out of the relay.
    private static int Count(ref Utf8JsonReader reader) =>
        reader.TryGetInt32(out var n) ? Math.Max(0, n)
        : reader.TryGetDouble(out var d) && double.IsFinite(d) ? (int)Math.Clamp(d, 0, int.MaxValue)
        : 0;
}
