using System.Text.Json;

namespace QuantumEdge.Federation.Canonical;

/// <summary>
/// Parses untrusted bytes into a <see cref="CanonicalNode"/> under <see cref="CanonicalJsonLimits"/>:
/// strict RFC 8259 (no comments, no trailing commas, one value, valid UTF-8), duplicate keys
/// refused, numbers read as IEEE-754 doubles and refused when not finite, lone surrogates refused.
/// </summary>
internal static class CanonicalJsonReader
{
    public static CanonicalNode Parse(ReadOnlySpan<byte> utf8, CanonicalJsonLimits limits)
    {
        if (utf8.Length > limits.MaxBytes)
        {
            throw new CanonicalJsonException(CanonicalJsonError.TooLarge, $"document is {utf8.Length} bytes; the limit is {limits.MaxBytes}");
        }

        // The reader's own depth limit sits above ours so that ours, with its clear message, trips first.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            MaxDepth = limits.MaxDepth + 2,
        });
        var values = 0;
        try
        {
            if (!reader.Read())
            {
                throw new CanonicalJsonException(CanonicalJsonError.MalformedJson, "document is empty");
            }

            var root = ReadValue(ref reader, limits, 0, ref values);
            if (reader.Read())
            {
                throw new CanonicalJsonException(CanonicalJsonError.MalformedJson, "data after the end of the document");
            }

            return root;
        }
        catch (JsonException ex)
        {
            throw new CanonicalJsonException(CanonicalJsonError.MalformedJson, $"not well-formed JSON at byte {ex.BytePositionInLine ?? reader.BytesConsumed}");
        }
        catch (InvalidOperationException)
        {
            throw new CanonicalJsonException(CanonicalJsonError.InvalidString, "a string is not valid UTF-8/UTF-16 text");
        }
    }

    private static CanonicalNode ReadValue(ref Utf8JsonReader reader, CanonicalJsonLimits limits, int depth, ref int values)
    {
        if (++values > limits.MaxValues)
        {
            throw new CanonicalJsonException(CanonicalJsonError.TooManyValues, $"document holds more than {limits.MaxValues} values");
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                return ReadObject(ref reader, limits, depth + 1, ref values);
            case JsonTokenType.StartArray:
                return ReadArray(ref reader, limits, depth + 1, ref values);
            case JsonTokenType.String:
                return CanonicalNode.String(ReadString(ref reader, limits));
            case JsonTokenType.Number:
                if (!reader.TryGetDouble(out var number) || !double.IsFinite(number))
                {
                    throw new CanonicalJsonException(CanonicalJsonError.InvalidNumber, "a number is outside the IEEE-754 double range");
                }

                return CanonicalNode.FromNumber(number);
            case JsonTokenType.True:
                return CanonicalNode.TrueValue;
            case JsonTokenType.False:
                return CanonicalNode.FalseValue;
            case JsonTokenType.Null:
                return CanonicalNode.NullValue;
            default:
                throw new CanonicalJsonException(CanonicalJsonError.MalformedJson, $"unexpected token {reader.TokenType}");
        }
    }

    private static CanonicalNode ReadObject(ref Utf8JsonReader reader, CanonicalJsonLimits limits, int depth, ref int values)
    {
        CheckDepth(depth, limits);
        var members = new List<KeyValuePair<string, CanonicalNode>>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = ReadString(ref reader, limits);
            reader.Read();
            members.Add(new(key, ReadValue(ref reader, limits, depth, ref values)));
        }

        return CanonicalNode.Object(members);
    }

    private static CanonicalNode ReadArray(ref Utf8JsonReader reader, CanonicalJsonLimits limits, int depth, ref int values)
    {
        CheckDepth(depth, limits);
        var items = new List<CanonicalNode>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(ReadValue(ref reader, limits, depth, ref values));
        }

        return CanonicalNode.Array(items);
    }

    private static string ReadString(ref Utf8JsonReader reader, CanonicalJsonLimits limits)
    {
        // ValueSpan is the escaped form, never shorter than the unescaped one's UTF-8: a cheap pre-check.
        var raw = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (raw > (long)limits.MaxStringLength * 6)
        {
            throw new CanonicalJsonException(CanonicalJsonError.StringTooLong, $"a string is longer than {limits.MaxStringLength} characters");
        }

        var text = reader.GetString() ?? "";
        if (text.Length > limits.MaxStringLength)
        {
            throw new CanonicalJsonException(CanonicalJsonError.StringTooLong, $"a string is longer than {limits.MaxStringLength} characters");
        }

        if (!IsWellFormedUtf16(text))
        {
            throw new CanonicalJsonException(CanonicalJsonError.InvalidString, "a string holds a lone UTF-16 surrogate");
        }

        return text;
    }

    private static void CheckDepth(int depth, CanonicalJsonLimits limits)
    {
        if (depth > limits.MaxDepth)
        {
            throw new CanonicalJsonException(CanonicalJsonError.TooDeep, $"nesting deeper than {limits.MaxDepth}");
        }
    }

    internal static bool IsWellFormedUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
