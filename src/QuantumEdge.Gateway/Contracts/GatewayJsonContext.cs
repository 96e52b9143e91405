using System.Text.Json.Serialization;

namespace QuantumEdge.Gateway.Contracts;

/// <summary>Source-generated JSON for everything the gateway itself writes.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(OpenAiErrorEnvelope))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(HealthReport))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;
