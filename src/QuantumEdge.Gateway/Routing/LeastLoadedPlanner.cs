using QuantumEdge.Gateway.Backends;

namespace QuantumEdge.Gateway.Routing;

/// <summary>Picks the candidate with the lowest load fraction; ties go to the lower observed latency.</summary>
public sealed class LeastLoadedPlanner : IRoutePlanner
{
    public string Name => "least_loaded";

    public ValueTask<Backend> ChooseAsync(RouteRequest request, IReadOnlyList<Backend> candidates, CancellationToken ct)
    {
        var best = candidates[0];
        var bestLoad = best.LoadFraction;
        for (var i = 1; i < candidates.Count; i++)
        {
            var c = candidates[i];
            var load = c.LoadFraction;
            if (load < bestLoad - 1e-9 || (Math.Abs(load - bestLoad) <= 1e-9 && c.LatencyEwmaMs < best.LatencyEwmaMs))
            {
                best = c;
                bestLoad = load;
            }
        }

        return ValueTask.FromResult(best);
    }
}
