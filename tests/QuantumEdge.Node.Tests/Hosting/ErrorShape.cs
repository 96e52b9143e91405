using System.Text.Json;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>Reads an OpenAI-shaped error body and checks its shape.</summary>
public static class ErrorShape
{
    public static async Task<(string Message, string Type, string? Code)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        var error = doc.RootElement.GetProperty("error");
        Assert.True(error.TryGetProperty("param", out _), "error must carry 'param' (may be null)");
        return (error.GetProperty("message").GetString()!, error.GetProperty("type").GetString()!,
            error.GetProperty("code").ValueKind == JsonValueKind.Null ? null : error.GetProperty("code").GetString());
    }
}
