using System.Runtime.InteropServices;
using System.Text.Json;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// One request line of a batch input file: <c>{"custom_id","method":"POST","url","body"}</c> as the
/// OpenAI Batch API defines it, plus an optional <c>data_classification</c> (the line's
/// <c>X-Data-Classification</c>; without it the batch's applies). Any other key is refused.
/// </summary>
internal sealed record BatchInputLine(string CustomId, InferenceRoute Route, string Url, string? Classification, string Model, ReadOnlyMemory<byte> Body)
{
    /// <summary>Longest accepted <c>custom_id</c>.</summary>
    public const int MaxCustomIdLength = 512;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, AllowDuplicateProperties = false };

    /// <summary>The node's inference routes a line may name.</summary>
    public static readonly IReadOnlyDictionary<string, InferenceRoute> Routes = new Dictionary<string, InferenceRoute>(StringComparer.Ordinal)
    {
        ["/v1/chat/completions"] = InferenceRoute.ChatCompletions,
        ["/v1/completions"] = InferenceRoute.Completions,
        ["/v1/embeddings"] = InferenceRoute.Embeddings,
    };

    /// <summary>Parses and checks the line's envelope and its body; throws <see cref="BatchInputException"/> naming the line.</summary>
    public static BatchInputLine Parse(int number, ReadOnlyMemory<byte> line)
    {
        // Strings are decoded when read: bytes that are not UTF-8 would surface as an exception there.
        if (!System.Text.Unicode.Utf8.IsValid(line.Span))
        {
            throw new BatchInputException(number, $"line {number} is not valid UTF-8");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line, Options);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new BatchInputException(number, $"line {number} is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // Comparing keys for duplicates decodes them, and a lone surrogate escape fails there.
            throw InvalidText(number, e);
        }

        try
        {
            return Read(number, doc);
        }
        catch (InvalidOperationException e)
        {
            // A key or string escaping half of a UTF-16 pair ("\ud800") is well-formed JSON that no string can hold.
            throw InvalidText(number, e);
        }
    }

    private static BatchInputException InvalidText(int number, InvalidOperationException e) =>
        new(number, $"line {number} holds a string that is not valid Unicode text (a lone UTF-16 surrogate escape?): {e.Message}");

    private static BatchInputLine Read(int number, JsonDocument doc)
    {
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new BatchInputException(number, $"line {number} must be a JSON object");
            }

            string? customId = null, method = null, url = null, classification = null;
            JsonElement? body = null;
            foreach (var p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "custom_id":
                        customId = Text(number, p);
                        break;
                    case "method":
                        method = Text(number, p);
                        break;
                    case "url":
                        url = Text(number, p);
                        break;
                    case "data_classification":
                        classification = Text(number, p);
                        break;
                    case "body":
                        body = p.Value;
                        break;
                    default:
                        throw new BatchInputException(number, $"line {number} has an unknown field '{MessageText.Shorten(p.Name, 64)}' (allowed: custom_id, method, url, body, data_classification)");
                }
            }

            if (string.IsNullOrEmpty(customId))
            {
                throw new BatchInputException(number, $"line {number} lacks 'custom_id'");
            }

            if (customId.Length > MaxCustomIdLength)
            {
                throw new BatchInputException(number, $"line {number}: 'custom_id' is longer than {MaxCustomIdLength} characters");
            }

            if (method != "POST")
            {
                throw new BatchInputException(number, $"line {number}: 'method' must be \"POST\"");
            }

            if (url is null || !Routes.TryGetValue(url, out var route))
            {
                throw new BatchInputException(number, $"line {number}: 'url' must be one of {string.Join(", ", Routes.Keys)}");
            }

            if (body is not { ValueKind: JsonValueKind.Object } b)
            {
                throw new BatchInputException(number, $"line {number}: 'body' must be a JSON object");
            }

            var bodyBytes = JsonMarshal.GetRawUtf8Value(b).ToArray();
            InferenceRequest request;
            try
            {
                request = InferenceRequest.Parse(bodyBytes, route);
            }
            catch (GatewayError e)
            {
                throw new BatchInputException(number, $"line {number}: body is not a valid {url} request: {e.Message}");
            }

            if (request.Stream)
            {
                throw new BatchInputException(number, $"line {number}: batch requests cannot stream ('stream' must be false or absent)");
            }

            return new BatchInputLine(customId, route, url, classification, request.Model, bodyBytes);
        }
    }

    private static string Text(int number, JsonProperty p) => p.Value.ValueKind == JsonValueKind.String
        ? p.Value.GetString()!
        : throw new BatchInputException(number, $"line {number}: '{p.Name}' must be a string");
}
