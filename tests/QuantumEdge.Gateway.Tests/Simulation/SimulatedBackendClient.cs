using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace QuantumEdge.Gateway.Tests.Simulation;

/// <summary>Plain HTTP calls against a simulated backend, returning status and parsed bodies.</summary>
internal static class SimulatedBackendClient
{
    public static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> PostAsync(
        HttpClient http, string url, string json, string? apiKey = null, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }

        var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return (response.StatusCode, body, response);
    }

    /// <summary>A chat request body; <paramref name="extra"/> is spliced in as more top-level fields (",\"stream\":true").</summary>
    public static string Chat(string content, string model = "clinical-7b", string extra = "")
    {
        var json = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = content }),
        }.ToJsonString();
        return json[..^1] + extra + "}";
    }

    /// <summary>The <c>data:</c> payloads of an SSE body, in order.</summary>
    public static List<string> SseData(string body)
    {
        var result = new List<string>();
        foreach (var evt in body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.StartsWith("data: ", evt, StringComparison.Ordinal);
            result.Add(evt["data: ".Length..]);
        }

        return result;
    }

    public static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();
}
