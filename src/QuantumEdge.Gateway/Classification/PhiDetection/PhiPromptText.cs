using System.Buffers;
using System.Text.Json;

namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>
/// The text of a request body that a backend will read, as one block for the detector: every
/// string value at any depth (message content, content parts, tool-call arguments, names,
/// <c>prompt</c>, <c>input</c>, metadata) on its own line, and numbers that are property values.
/// Other keys are written before their value ("mrn: 00483921") because a key is context for its
/// value; the prompt's own text (<c>content</c>, <c>text</c>, <c>prompt</c>, <c>input</c>) is written
/// bare, one value per line, as a server's chat template joins content parts and messages, so that an
/// identifier split across parts or messages ("123-45" then "-6789") is one identifier to the detector
/// (<see cref="PhiTextNormalizer"/> joins it across the line break). The model's name (the body's own
/// <c>model</c>, which the gateway only accepts from its catalog) and inline media (see <see cref="IsMedia"/>)
/// are left out; a key whose value is not written (an object, an array, a literal, media) is written on its
/// own line when it is more than a word, and so is any key too long to be the API's; a role, type or format
/// is left out only while it is a plain word, as the API's values are. An <c>id</c> or
/// <c>tool_call_id</c> is the client's text, which a chat template puts in front of the model, so it is
/// scanned, bare: with its key it would read as a record-number label ("id: 00483921"). Numbers written as a
/// fraction or with an exponent (1.23456789e8) are written as the whole number they are.
/// Reads the body with <see cref="Utf8JsonReader"/> into the caller's buffer: no allocation.
/// </summary>
internal static class PhiPromptText
{
    /// <summary>Keys whose values name API objects, never text a model reads.</summary>
    private static readonly string[] SkippedKeys = ["model"];

    /// <summary>Keys whose values name API objects but are the client's text: written bare, because their key is no context.</summary>
    private static readonly string[] IdentifierKeys = ["tool_call_id", "id"];

    /// <summary>Keys whose values are one of the API's words ("user", "image_url", "float"); anything else in them is scanned.</summary>
    private static readonly string[] SteeringKeys = ["role", "type", "encoding_format", "object", "finish_reason", "detail", "format"];

    /// <summary>Keys that hold the prompt's text, where the key is no context: their values are written bare.</summary>
    private static readonly string[] TextKeys = ["content", "text", "prompt", "input"];

    /// <summary>The characters of a media subtype and its parameters before <c>;base64,</c> ("png", "svg+xml", "webm;codecs=vp9").</summary>
    private static readonly SearchValues<byte> MediaSubtypeCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-.;=_"u8);

    /// <summary>The characters of a base64 payload.</summary>
    private static readonly SearchValues<byte> Base64Characters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);

    /// <summary>Longest value of a steering key still taken for one of the API's words.</summary>
    private const int MaxSteeringWord = 64;

    /// <summary>The buffer length <see cref="Extract(ReadOnlySpan{byte}, Span{char})"/> needs for a body of <paramref name="utf8Length"/> bytes.</summary>
    public static int MaxLength(int utf8Length) => utf8Length + 16;

    /// <summary>Writes the text of <paramref name="utf8Body"/> into <paramref name="output"/>; returns its length. A body that is not JSON is scanned as text.</summary>
    public static int Extract(ReadOnlySpan<byte> utf8Body, Span<char> output) => Extract(utf8Body, output, out _);

    /// <summary>
    /// As <see cref="Extract(ReadOnlySpan{byte}, Span{char})"/>; <paramref name="complete"/> is false when a
    /// number's whole form did not fit in the buffer and was written as it stands, so the caller can fail closed.
    /// </summary>
    public static int Extract(ReadOnlySpan<byte> utf8Body, Span<char> output, out bool complete)
    {
        // Every value written is shorter than its JSON form: "k":"v" is |k|+|v|+5 bytes and is written as
        // |k|+|v|+3 characters; an array element "v" (|v|+2 bytes) as |v|+1. Only a number's whole form
        // can be longer than the number (1e18), and it is written only while the rest of the body still fits.
        var n = 0;
        complete = true;
        try
        {
            var reader = new Utf8JsonReader(utf8Body, new JsonReaderOptions { MaxDepth = 64 });
            var keyStart = -1;
            var keyLength = 0;
            var skip = KeyKind.Other;
            Span<char> keyBuffer = stackalloc char[64];
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        if (reader.HasValueSequence || reader.ValueSpan.Length > keyBuffer.Length)
                        {
                            // No API key is this long: it is the client's text (a tool schema's property name, say), a line of its own.
                            n += reader.CopyString(output[n..]);
                            output[n++] = '\n';
                            keyLength = 0;
                        }
                        else
                        {
                            keyLength = reader.CopyString(keyBuffer);
                        }

                        skip = Classify(keyBuffer[..keyLength], reader.CurrentDepth);
                        keyStart = 0;
                        break;
                    case JsonTokenType.String:
                        if (skip != KeyKind.Skipped && !(keyStart >= 0 && IsMedia(ref reader, keyBuffer[..keyLength]))
                            && !(skip == KeyKind.Steering && IsApiWord(ref reader)))
                        {
                            n = WriteKey(output, n, keyStart >= 0 && !IsBare(skip) ? keyBuffer[..keyLength] : []);
                            n += reader.CopyString(output[n..]);
                            output[n++] = '\n';
                        }
                        else if (keyStart >= 0)
                        {
                            n = WriteUnlessWord(output, n, keyBuffer[..keyLength]);
                        }

                        keyStart = -1;
                        break;
                    case JsonTokenType.Number:
                        if (skip != KeyKind.Skipped && keyStart >= 0)
                        {
                            n = WriteKey(output, n, IsBare(skip) ? [] : keyBuffer[..keyLength]);
                            n = WriteNumber(ref reader, output, n, utf8Body.Length, ref complete);
                            output[n++] = '\n';
                        }

                        keyStart = -1;
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        // A key that opens an object or array is written only when it is more than a word
                        // ("properties":{"Jane Doe 219-09-9999":{…}} in a tool's schema, which a template shows the model).
                        if (keyStart >= 0)
                        {
                            n = WriteUnlessWord(output, n, keyBuffer[..keyLength]);
                        }

                        keyStart = -1;
                        if (reader.TokenType == JsonTokenType.StartObject)
                        {
                            skip = KeyKind.Other;
                        }

                        break;
                    case JsonTokenType.EndObject:
                        // An object's last key says nothing about what follows it ("content":[{…},"text part"]).
                        keyStart = -1;
                        skip = KeyKind.Other;
                        break;
                    default:
                        // true, false, null: nothing to read in the value, but its key may be the client's text.
                        if (keyStart >= 0)
                        {
                            n = WriteUnlessWord(output, n, keyBuffer[..keyLength]);
                        }

                        keyStart = -1;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // The gateway parses bodies before this runs; anything else is scanned as raw text.
            n = System.Text.Encoding.UTF8.GetChars(utf8Body, output);
            complete = true;
        }

        return n;
    }

    private enum KeyKind
    {
        Other,
        Text,
        Identifier,
        Steering,
        Skipped,
    }

    private static bool IsBare(KeyKind kind) => kind is KeyKind.Text or KeyKind.Identifier;

    /// <summary>
    /// Writes a number as the model would read it: a whole number written as a fraction or with an
    /// exponent ("1.23456789e8", "123456789.0") as its digits, so that the number recognizers see it;
    /// anything else as it stands.
    /// </summary>
    private static int WriteNumber(ref Utf8JsonReader reader, Span<char> output, int n, int bodyLength, ref bool complete)
    {
        var raw = reader.ValueSpan;
        if (raw.IndexOfAny(".eE"u8) >= 0 && reader.TryGetDecimal(out var value) && value == decimal.Truncate(value)
            && Math.Abs(value) < 1e20m)
        {
            // What is left of the body may still need its whole length, and the line break one more.
            var room = output.Length - n - (bodyLength - (int)reader.BytesConsumed) - 1;
            if (decimal.Truncate(value).TryFormat(output.Slice(n, Math.Clamp(room, 0, output.Length - n)), out var written, "0",
                    System.Globalization.CultureInfo.InvariantCulture))
            {
                return n + written;
            }

            complete = false;
        }

        foreach (var b in raw)
        {
            output[n++] = (char)b;
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

    /// <summary>Writes a key whose value is not written (an object, an array, a literal, media) on its own line, unless it is a word.</summary>
    private static int WriteUnlessWord(Span<char> output, int n, ReadOnlySpan<char> key)
    {
        if (IsWord(key))
        {
            return n;
        }

        key.CopyTo(output[n..]);
        n += key.Length;
        output[n++] = '\n';
        return n;
    }

    /// <summary>Whether a key is a word (letters, '_' and '-'): a key whose value is not written and holds anything else is written alone.</summary>
    private static bool IsWord(ReadOnlySpan<char> key)
    {
        foreach (var c in key)
        {
            if (!IsWordCharacter(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The characters of the API's words and of keys that are words: ASCII letters, '_' and '-'.</summary>
    private static bool IsWordCharacter(int c) => char.IsAsciiLetter((char)c) || c is '_' or '-';

    /// <summary>The kind of a key; <paramref name="depth"/> 1 is the body's own keys, where alone <c>model</c> names the catalog's model.</summary>
    private static KeyKind Classify(ReadOnlySpan<char> key, int depth) =>
        depth == 1 && Contains(SkippedKeys, key) ? KeyKind.Skipped
        : Contains(SteeringKeys, key) ? KeyKind.Steering
        : Contains(TextKeys, key) ? KeyKind.Text
        : Contains(IdentifierKeys, key) ? KeyKind.Identifier
        : KeyKind.Other;

    private static bool Contains(string[] keys, ReadOnlySpan<char> key)
    {
        foreach (var k in keys)
        {
            if (key.SequenceEqual(k))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a string is shaped as one of the API's words (letters, '_' and '-' only: "user", "image_url", "json_object"); others, such as "mp3", are scanned, which finds nothing in them.</summary>
    private static bool IsApiWord(ref Utf8JsonReader reader)
    {
        if (reader.HasValueSequence || reader.ValueIsEscaped || reader.ValueSpan.Length is 0 or > MaxSteeringWord)
        {
            return false;
        }

        foreach (var b in reader.ValueSpan)
        {
            if (!IsWordCharacter(b))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Inline media: the <c>url</c> or <c>data</c> of a content part holding a <c>data:</c> URL of an image, a sound
    /// or a video (<c>data:image/png;base64,…</c>: a media type of token characters alone) whose payload is base64
    /// and nothing else, and whose first bytes are not text. A model perceives such media, it does not read its
    /// characters; any other value is scanned, and base64 that decodes to text is read by the normalizer.
    /// </summary>
    private static bool IsMedia(ref Utf8JsonReader reader, scoped ReadOnlySpan<char> key)
    {
        if (reader.HasValueSequence || reader.ValueIsEscaped || !(key.SequenceEqual("url") || key.SequenceEqual("data")))
        {
            return false;
        }

        var value = reader.ValueSpan;
        if (!(value.StartsWith("data:image/"u8) || value.StartsWith("data:audio/"u8) || value.StartsWith("data:video/"u8)))
        {
            return false;
        }

        var marker = value.IndexOf(";base64,"u8);
        if (marker < 0 || marker > 64 || value["data:image/".Length..marker].IndexOfAnyExcept(MediaSubtypeCharacters) >= 0)
        {
            return false;
        }

        var payload = value[(marker + ";base64,".Length)..];
        return payload.IndexOfAnyExcept(Base64Characters) < 0 && !StartsAsText(payload);
    }

    /// <summary>Whether the first bytes a base64 payload decodes to read as text (<see cref="PhiTextNormalizer.IsText"/>): no image, sound or video format starts so.</summary>
    private static bool StartsAsText(ReadOnlySpan<byte> base64)
    {
        Span<byte> head = stackalloc byte[48];
        var sample = base64[..Math.Min(base64.Length, 64)];
        return System.Buffers.Text.Base64.DecodeFromUtf8(sample[..(sample.Length / 4 * 4)], head, out _, out var written) is OperationStatus.Done or OperationStatus.InvalidData
            && written > 0 && PhiTextNormalizer.IsText(head[..written]);
    }

}
