using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using QuantumEdge.Gateway.Contracts;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// A parsed inference request body: the fields routing needs, and the body to send upstream
/// (with <c>stream_options.include_usage</c> forced on for streams so tokens can be metered).
/// Parsed with <see cref="JsonDocument"/> (pooled, about the input's size) and rewritten once,
/// so a hostile body of many tiny values cannot blow up into a large object graph.
/// </summary>
public sealed class InferenceRequest
{
    /// <summary>Most messages (or content parts of one message) a request may carry.</summary>
    public const int MaxItems = 4096;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    private readonly byte[] _upstream;

    private InferenceRequest(byte[] upstream, string model, bool stream, bool clientWantsUsage)
    {
        _upstream = upstream;
        Model = model;
        Stream = stream;
        ClientWantsUsage = clientWantsUsage;
    }

    public string Model { get; }
    public bool Stream { get; }
    /// <summary>Whether the client itself asked for the final usage chunk.</summary>
    public bool ClientWantsUsage { get; }
    public ulong PrefixFingerprint { get; private set; }
    public int EstimatedPromptTokens { get; private set; }
    public int EstimatedOutputTokens { get; private set; }
    /// <summary>The prompt's text as UTF-8, kept only long enough to compute a keyed hash for the audit trail.</summary>
    public byte[] PromptUtf8 { get; private set; } = [];

    /// <summary>
    /// Parses and checks a request body. The caller hands the body over: when nothing in it needs
    /// rewriting, its array is what is sent upstream, not a copy.
    /// </summary>
    public static InferenceRequest Parse(ReadOnlyMemory<byte> utf8, InferenceRoute route)
    {
        // Strings are decoded lazily, so text that is not UTF-8 would otherwise surface as an
        // exception deep in measuring or rewriting; one vectorised pass refuses it up front.
        if (!Utf8.IsValid(utf8.Span))
        {
            throw GatewayError.BadRequest("request body is not valid UTF-8", code: "invalid_json");
        }

        JsonDocument doc;
        try
        {
            // Duplicate keys are refused at every depth: the gateway reads the last one, while a
            // backend that keeps the first would run something other than what was audited.
            doc = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw GatewayError.BadRequest($"request body is not valid JSON: {e.Message}", code: "invalid_json");
        }
        catch (InvalidOperationException e)
        {
            // Comparing escaped keys for duplicates decodes them, and a lone surrogate escape fails there.
            throw InvalidText(e);
        }

        try
        {
            return Read(doc, utf8, route);
        }
        catch (InvalidOperationException e)
        {
            // JsonElement decodes a string when it is read or rewritten: an escape such as "\ud800"
            // (half of a UTF-16 pair) is well-formed JSON that no string can hold.
            throw InvalidText(e);
        }
    }

    private static GatewayError InvalidText(InvalidOperationException e) =>
        GatewayError.BadRequest($"request body holds a string that is not valid Unicode text (a lone UTF-16 surrogate escape?): {e.Message}", code: "invalid_json");

    private static InferenceRequest Read(JsonDocument doc, ReadOnlyMemory<byte> utf8, InferenceRoute route)
    {
        using (doc)
        {
            var body = doc.RootElement;
            if (body.ValueKind != JsonValueKind.Object)
            {
                throw GatewayError.BadRequest("request body must be a JSON object", code: "invalid_json");
            }

            var model = body.TryGetProperty("model", out var mv) && mv.ValueKind == JsonValueKind.String && mv.GetString() is { Length: > 0 } m
                ? m
                : throw GatewayError.BadRequest("'model' is required and must be a string", "model", "missing_model");

            var stream = false;
            if (body.TryGetProperty("stream", out var sv) && sv.ValueKind != JsonValueKind.Null)
            {
                stream = sv.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw GatewayError.BadRequest("'stream' must be true or false", "stream"),
                };
            }

            if (stream && !route.CanStream())
            {
                throw GatewayError.BadRequest("this endpoint does not stream", "stream");
            }

            var wantsUsage = false;
            JsonElement? options = null;
            if (body.TryGetProperty("stream_options", out var so) && so.ValueKind != JsonValueKind.Null)
            {
                if (so.ValueKind != JsonValueKind.Object)
                {
                    throw GatewayError.BadRequest("'stream_options' must be an object", "stream_options");
                }

                options = so;
                wantsUsage = so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
            }

            var upstream = stream || HasSurrogateEscape(utf8.Span) ? Rewrite(body, stream, options, wantsUsage) : Unchanged(utf8);
            var request = new InferenceRequest(upstream, model, stream, stream && wantsUsage);
            request.Measure(body, route, utf8.Length);
            return request;
        }
    }

    /// <summary>The body to send upstream (computed once at parse).</summary>
    public byte[] SerializeBody() => _upstream;

    /// <summary>
    /// The client's bytes, for a request that is not streamed: rewriting would send the same
    /// properties and values, so the copy and the re-encoding are saved (the body was checked as
    /// UTF-8 and JSON with unique keys on the way in).
    /// </summary>
    private static byte[] Unchanged(ReadOnlyMemory<byte> utf8) =>
        MemoryMarshal.TryGetArray(utf8, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length ? segment.Array : utf8.ToArray();

    /// <summary>
    /// Whether the body may hold an escaped UTF-16 surrogate (\uD800–\uDFFF). Rewriting decodes
    /// every string, and so refuses a lone surrogate even in a field the gateway does not read;
    /// such a body is rewritten rather than forwarded as it came, so it is still refused.
    /// </summary>
    private static bool HasSurrogateEscape(ReadOnlySpan<byte> utf8)
    {
        var at = 0;
        while (at < utf8.Length)
        {
            var found = utf8[at..].IndexOf("\\u"u8);
            if (found < 0)
            {
                return false;
            }

            at += found + 2;
            if (at + 1 < utf8.Length && (utf8[at] | 0x20) == 'd' && utf8[at + 1] is (>= (byte)'8' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The client's body, property by property, with stream_options replaced for streams:
    /// include_usage forced on, and vLLM's continuous_usage_stats removed unless the client asked
    /// for usage (it would put usage on every chunk, and the relay drops usage for such clients).
    /// </summary>
    private static byte[] Rewrite(JsonElement body, bool stream, JsonElement? options, bool wantsUsage)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var property in body.EnumerateObject())
            {
                if (stream && property.NameEquals("stream_options"))
                {
                    continue;
                }

                property.WriteTo(w);
            }

            if (stream)
            {
                w.WriteStartObject("stream_options");
                if (options is { } o)
                {
                    foreach (var p in o.EnumerateObject())
                    {
                        if (p.NameEquals("include_usage") || (!wantsUsage && p.NameEquals("continuous_usage_stats")))
                        {
                            continue;
                        }

                        p.WriteTo(w);
                    }
                }

                w.WriteBoolean("include_usage", true);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private void Measure(JsonElement body, InferenceRoute route, int bodyLength)
    {
        using var text = new PromptTextBuffer(bodyLength);
        switch (route)
        {
            case InferenceRoute.ChatCompletions:
                if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
                {
                    throw GatewayError.BadRequest("'messages' must be a non-empty array", "messages");
                }

                if (messages.GetArrayLength() > MaxItems)
                {
                    throw GatewayError.BadRequest($"'messages' holds more than {MaxItems} items", "messages");
                }

                foreach (var message in messages.EnumerateArray())
                {
                    if (message.ValueKind != JsonValueKind.Object)
                    {
                        throw GatewayError.BadRequest("each message must be an object", "messages");
                    }

                    if (message.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String)
                    {
                        AppendString(text, r);
                    }

                    text.Append(':');
                    AppendContent(text, message.TryGetProperty("content", out var c) ? c : default, "messages");
                    text.Append('\n');
                }

                break;
            case InferenceRoute.Completions:
                AppendContent(text, body.TryGetProperty("prompt", out var prompt) && prompt.ValueKind != JsonValueKind.Null
                    ? prompt
                    : throw GatewayError.BadRequest("'prompt' is required", "prompt"), "prompt");
                break;
            default:
                AppendContent(text, body.TryGetProperty("input", out var input) && input.ValueKind != JsonValueKind.Null
                    ? input
                    : throw GatewayError.BadRequest("'input' is required", "input"), "input");
                break;
        }

        var promptText = text.Text;
        PromptUtf8 = new byte[Encoding.UTF8.GetByteCount(promptText)];
        Encoding.UTF8.GetBytes(promptText, PromptUtf8);
        EstimatedPromptTokens = Math.Max(1, promptText.Length / 4);
        EstimatedOutputTokens = route == InferenceRoute.Embeddings ? 0 : OutputTokenLimit(body);
        PrefixFingerprint = Routing.PromptFingerprint64.Of(promptText[..Math.Min(promptText.Length, 512)]);
    }

    /// <summary>
    /// The tokens to plan for: the larger of <c>max_completion_tokens</c> and <c>max_tokens</c> (both checked: a
    /// server may read either), 256 when neither is given.
    /// </summary>
    private static int OutputTokenLimit(JsonElement body)
    {
        var completion = OutputTokenLimit(body, "max_completion_tokens");
        var legacy = OutputTokenLimit(body, "max_tokens");
        return completion is null && legacy is null ? 256 : Math.Max(completion ?? 0, legacy ?? 0);
    }

    /// <summary>
    /// A limit on the tokens to generate, or null when absent. It sizes the planner's estimate and runs on the backend
    /// unchanged, so a value the two would read differently (<c>1e400</c>, <c>-1</c>, <c>2.5</c>, <c>"100"</c>) is refused
    /// here rather than planned as the default and handed to the backend to interpret.
    /// </summary>
    private static int? OutputTokenLimit(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i))
        {
            return i >= 1 ? i : throw GatewayError.BadRequest($"'{name}' must be at least 1", name);
        }

        // A whole number written as 100.0 or 1e2 is still that number (JSON does not tell them apart); any other is refused.
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) && d == Math.Floor(d))
        {
            return d is >= 1 and <= int.MaxValue
                ? (int)d
                : throw GatewayError.BadRequest($"'{name}' must be a whole number from 1 to {int.MaxValue}", name);
        }

        throw GatewayError.BadRequest($"'{name}' must be a whole number from 1 to {int.MaxValue}", name);
    }

    /// <summary>Appends a message's content, or <c>prompt</c> or <c>input</c>; <paramref name="param"/> is the field an error names.</summary>
    private static void AppendContent(PromptTextBuffer text, JsonElement content, string param)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                AppendString(text, content);
                break;
            case JsonValueKind.Array:
                if (content.GetArrayLength() > MaxItems)
                {
                    throw GatewayError.BadRequest(param == "messages"
                        ? $"a message's content array holds more than {MaxItems} items"
                        : $"'{param}' holds more than {MaxItems} items", param);
                }

                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
                    {
                        AppendString(text, t);
                    }
                    else if (part.ValueKind == JsonValueKind.String)
                    {
                        AppendString(text, part);
                    }
                }

                break;
        }
    }

    /// <summary>
    /// A JSON string's text. Without an escape the raw token between its quotes is the text
    /// itself (the body was checked as UTF-8 on the way in), so it is decoded straight into the
    /// buffer; a string with escapes is decoded through <see cref="JsonElement.GetString"/>.
    /// </summary>
    private static void AppendString(PromptTextBuffer text, JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        if (raw.Length >= 2 && raw[0] == (byte)'"' && raw[^1] == (byte)'"' && !raw.Contains((byte)'\\'))
        {
            text.AppendUtf8(raw[1..^1]);
        }
        else
        {
            text.Append(value.GetString());
        }
    }
}
