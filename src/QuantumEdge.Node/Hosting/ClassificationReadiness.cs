using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// Whether the node can serve data of a classification right now: at least one backend cleared for
/// it is healthy and its circuit is closed. The readiness endpoint and the
/// <c>quantumedge_backends_ready</c> gauge read the same count, so a load balancer and an alert
/// never disagree.
/// </summary>
internal static class ClassificationReadiness
{
    public static readonly DataClassification[] Levels =
        [DataClassification.Public, DataClassification.Internal, DataClassification.Confidential, DataClassification.Restricted];

    /// <summary>Backends cleared for the classification that would be tried for a request now.</summary>
    public static int ReadyBackends(BackendRegistry backends, DataClassification classification) =>
        backends.All.Count(b => b.Permits(classification) && b.Healthy && !b.CircuitOpen);
}
