using System.Text.Json.Serialization;

namespace QuantumEdge.Gateway.Contracts;

/// <summary>The <c>GET /health</c> answer: overall status and each check by name.</summary>
public sealed record HealthReport(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("node")] string Node,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("uptime_seconds")] double UptimeSeconds,
    [property: JsonPropertyName("checks")] IReadOnlyList<HealthCheckResult> Checks);

/// <summary>One named health check.</summary>
public sealed record HealthCheckResult(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("healthy")] bool Healthy,
    [property: JsonPropertyName("detail")] string Detail);
