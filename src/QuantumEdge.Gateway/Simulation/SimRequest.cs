using System.Text;
using System.Text.Json;

namespace QuantumEdge.Gateway.Simulation;

/// <summary>The fields of an OpenAI request that the simulated server looks at.</summary>
internal sealed record SimRequest(string Model, string Prompt, bool Stream, bool IncludeUsage, int? MaxTokens)
{
    public static SimRequest Parse(ReadOnlySpan<byte> utf8, bool chat)
    {
        var reader = new Utf8JsonReader(utf8);
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("body must be an object");
        }

        var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "";
        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var usage = root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        int? max = null;
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (root.TryGetProperty(name, out var mt) && mt.ValueKind == JsonValueKind.Number && mt.TryGetInt32(out var v) && v > 0)
            {
                max = v;
                break;
            }
        }

        var prompt = new StringBuilder();
        if (chat && root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            foreach (var msg in messages.EnumerateArray())
            {
                if (msg.ValueKind == JsonValueKind.Object && msg.TryGetProperty("content", out var c))
                {
                    Append(prompt, c);
                    prompt.Append('\n');
                }
            }
        }
        else if (root.TryGetProperty(chat ? "messages" : "prompt", out var p) || root.TryGetProperty("input", out p))
        {
            Append(prompt, p);
        }

        return new SimRequest(model, prompt.ToString(), stream, usage, max);
    }

    private static void Append(StringBuilder sb, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                sb.Append(e.GetString());
                break;
            case JsonValueKind.Array:
                foreach (var part in e.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var t))
                    {
                        Append(sb, t);
                    }
                    else
                    {
                        Append(sb, part);
                    }
                }

                break;
        }
    }
}
