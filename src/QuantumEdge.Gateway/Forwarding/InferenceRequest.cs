using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using QuantumEdge.Gateway.Contracts;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// A parsed inference request body: the fields routing needs, and the body to send upstream
/// (with <c>stream_options.include_usage</c> forced on for streams so tokens can be metered).
/// </summary>
public sealed class InferenceRequest
{
    private InferenceRequest(JsonObject body, string model, bool stream, bool clientWantsUsage)
    {
        Body = body;
        Model = model;
        Stream = stream;
        ClientWantsUsage = clientWantsUsage;
    }

    public JsonObject Body { get; }
    public string Model { get; }
    public bool Stream { get; }
    /// <summary>Whether the client itself asked for the final usage chunk.</summary>
    public bool ClientWantsUsage { get; }
    public ulong PrefixFingerprint { get; private set; }
    public int EstimatedPromptTokens { get; private set; }
    public int EstimatedOutputTokens { get; private set; }
    /// <summary>The prompt's text as UTF-8, kept only long enough to compute a keyed hash for the audit trail.</summary>
    public byte[] PromptUtf8 { get; private set; } = [];

    public static InferenceRequest Parse(ReadOnlySpan<byte> utf8, InferenceRoute route)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw GatewayError.BadRequest($"request body is not valid JSON: {e.Message}", code: "invalid_json");
        }

        if (node is not JsonObject body)
        {
            throw GatewayError.BadRequest("request body must be a JSON object", code: "invalid_json");
        }

        var model = body["model"] is JsonValue mv && mv.TryGetValue<string>(out var m) && m.Length > 0
            ? m
            : throw GatewayError.BadRequest("'model' is required and must be a string", "model", "missing_model");

        var stream = false;
        if (body["stream"] is { } sv)
        {
            stream = sv is JsonValue v && v.TryGetValue<bool>(out var b)
                ? b
                : throw GatewayError.BadRequest("'stream' must be true or false", "stream");
        }

        if (stream && !route.CanStream())
        {
            throw GatewayError.BadRequest("this endpoint does not stream", "stream");
        }

        var wantsUsage = false;
        if (stream)
        {
            var options = body["stream_options"] as JsonObject;
            if (body["stream_options"] is not null && options is null)
            {
                throw GatewayError.BadRequest("'stream_options' must be an object", "stream_options");
            }

            wantsUsage = options?["include_usage"] is JsonValue iu && iu.TryGetValue<bool>(out var u) && u;
            if (options is null)
            {
                options = [];
                body["stream_options"] = options;
            }

            options["include_usage"] = true;
            if (!wantsUsage)
            {
                // vLLM puts usage on every chunk when continuous_usage_stats is set (only ever
                // with include_usage). The relay drops usage chunks for clients that did not ask
                // for usage, so forcing include_usage must not turn continuous stats on.
                options.Remove("continuous_usage_stats");
            }
        }

        var request = new InferenceRequest(body, model, stream, wantsUsage);
        request.Measure(route);
        return request;
    }

    public byte[] SerializeBody()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Body.WriteTo(writer);
        }

        return buffer.ToArray();
    }

    private void Measure(InferenceRoute route)
    {
        var text = new StringBuilder();
        switch (route)
        {
            case InferenceRoute.ChatCompletions:
                if (Body["messages"] is not JsonArray messages || messages.Count == 0)
                {
                    throw GatewayError.BadRequest("'messages' must be a non-empty array", "messages");
                }

                foreach (var message in messages)
                {
                    if (message is not JsonObject mo)
                    {
                        throw GatewayError.BadRequest("each message must be an object", "messages");
                    }

                    text.Append(mo["role"] is JsonValue r && r.TryGetValue<string>(out var role) ? role : "").Append(':');
                    AppendContent(text, mo["content"]);
                    text.Append('\n');
                }

                break;
            case InferenceRoute.Completions:
                AppendContent(text, Body["prompt"] ?? throw GatewayError.BadRequest("'prompt' is required", "prompt"));
                break;
            default:
                AppendContent(text, Body["input"] ?? throw GatewayError.BadRequest("'input' is required", "input"));
                break;
        }

        var prompt = text.ToString();
        PromptUtf8 = Encoding.UTF8.GetBytes(prompt);
        EstimatedPromptTokens = Math.Max(1, prompt.Length / 4);
        EstimatedOutputTokens = ReadInt("max_completion_tokens") ?? ReadInt("max_tokens") ?? (route == InferenceRoute.Embeddings ? 0 : 256);
        PrefixFingerprint = Routing.PromptFingerprint64.Of(prompt.AsSpan(0, Math.Min(prompt.Length, 512)));
    }

    private int? ReadInt(string name) =>
        Body[name] is JsonValue v && v.TryGetValue<int>(out var i) && i >= 0 ? i : null;

    private static void AppendContent(StringBuilder text, JsonNode? content)
    {
        switch (content)
        {
            case JsonValue v when v.TryGetValue<string>(out var s):
                text.Append(s);
                break;
            case JsonArray parts:
                foreach (var part in parts)
                {
                    if (part is JsonObject po && po["text"] is JsonValue t && t.TryGetValue<string>(out var ps))
                    {
                        text.Append(ps);
                    }
                    else if (part is JsonValue pv && pv.TryGetValue<string>(out var s2))
                    {
                        text.Append(s2);
                    }
                }

                break;
        }
    }
}
