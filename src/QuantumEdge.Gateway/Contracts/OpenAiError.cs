using System.Text.Json.Serialization;

namespace QuantumEdge.Gateway.Contracts;

/// <summary>OpenAI's error envelope: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed record OpenAiErrorEnvelope([property: JsonPropertyName("error")] OpenAiError Error);

/// <summary>The body of an OpenAI-shaped error.</summary>
public sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);
