namespace QuantumEdge.Planning.Assignment;

/// <summary>Which planner produced the returned plan.</summary>
public enum PlanOrigin
{
    /// <summary>Simulated bifurcation, decoded and polished.</summary>
    Bifurcation,

    /// <summary>The greedy baseline, because it was better or the solve stayed decoherent.</summary>
    Greedy,
}
