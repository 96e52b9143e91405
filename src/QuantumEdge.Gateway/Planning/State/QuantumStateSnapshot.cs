namespace QuantumEdge.Gateway.Planning.State;

/// <summary>
/// The planner's "quantum state": what it learned that is worth keeping across a restart — each backend's
/// observed time to response headers (the EWMA the cost model starts from) and the warm-start pool's plans.
/// </summary>
internal sealed record QuantumStateSnapshot(IReadOnlyDictionary<string, double> LatencyMsByBackend, IReadOnlyList<(ulong Shape, int[] Plan)> Plans);
