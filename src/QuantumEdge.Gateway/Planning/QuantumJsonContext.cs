using System.Text.Json.Serialization;

namespace QuantumEdge.Gateway.Planning;

/// <summary>Source-generated JSON (snake_case) for the <c>/quantum/*</c> endpoints.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(QuantumStatusReport))]
[JsonSerializable(typeof(QuantumCoherenceReport))]
[JsonSerializable(typeof(QuantumOptimizationReport))]
internal sealed partial class QuantumJsonContext : JsonSerializerContext;
