using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Routing;

namespace QuantumEdge.Gateway.Planning;

/// <summary>What one planning decision (a batch or a lone request) is made under.</summary>
internal readonly record struct PlanningContext(
    QuantumPlanningSettings Settings,
    int MaxEntanglements,
    double ThroughputWeight,
    AffinityMap Affinity,
    long Now)
{
    /// <summary>The backends that recently served this request's prefix and its session, if any.</summary>
    public (string? Prefix, string? Session) CacheHolders(RouteRequest request) =>
        (Affinity.Lookup(AffinityMap.PrefixKey(request.PrefixFingerprint), Now), Affinity.Lookup(AffinityMap.SessionKey(request.SessionId), Now));
}
