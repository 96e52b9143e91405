using QuantumEdge.Gateway.Classification;

namespace QuantumEdge.Gateway.Routing;

/// <summary>What a planner knows about one request when it picks a backend. Never holds prompt text.</summary>
public sealed record RouteRequest
{
    public required string Model { get; init; }
    public required DataClassification Classification { get; init; }
    public required string Department { get; init; }
    public string? SessionId { get; init; }
    /// <summary>Opaque hash from <c>X-Patient-Context</c>.</summary>
    public string? PatientContext { get; init; }
    /// <summary>Hash of the prompt's leading characters, for prefix-cache affinity.</summary>
    public ulong PrefixFingerprint { get; init; }
    public int EstimatedPromptTokens { get; init; }
    public int EstimatedOutputTokens { get; init; }
    public bool Streaming { get; init; }
    /// <summary>The federation's time to first token for the model, for backends without local observations (null: none).</summary>
    public double? FirstTokenPriorMs { get; init; }
}
