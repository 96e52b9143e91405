using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Gateway.Tests.Routing;

/// <summary>Backend settings pointing at a closed loopback port: routing never sends anything.</summary>
internal static class RoutingTestBackends
{
    public static BackendSettings Backend(string id, string[] models, DataClassification[] allowed, int maxConcurrency = 4) => new()
    {
        Id = id,
        Url = new Uri($"http://127.0.0.1:9/{id}/v1/"),
        Models = models,
        MaxConcurrency = maxConcurrency,
        AllowedClassifications = allowed,
    };

    public static NodeConfiguration Config(params BackendSettings[] backends) => new() { Backends = backends };
}
