using QuantumEdge.Gateway.Backends;

namespace QuantumEdge.Gateway.Routing;

/// <summary>
/// The routing seam: picks one backend out of candidates that the gateway has already filtered
/// for permission, health and circuit state. A planner can reorder but never widen the choice.
/// </summary>
public interface IRoutePlanner
{
    /// <summary>Name reported in status output.</summary>
    string Name { get; }

    ValueTask<Backend> ChooseAsync(RouteRequest request, IReadOnlyList<Backend> candidates, CancellationToken ct);
}
