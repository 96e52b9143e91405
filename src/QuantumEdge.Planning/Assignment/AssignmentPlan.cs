namespace QuantumEdge.Planning.Assignment;

/// <summary>
/// A plan: every task on exactly one permitted backend, within capacities whenever any plan is.
/// <see cref="Gain"/> is (greedy − returned)/|greedy| — the deployment guide's interference_optimization_gain.
/// </summary>
public sealed record AssignmentPlan(
    IReadOnlyList<int> BackendOfTask,
    double Objective,
    double BifurcationObjective,
    double GreedyObjective,
    double Gain,
    double Coherence,
    PlanOrigin Origin,
    bool Decoherent,
    bool CapacityRespected,
    int Continuations,
    long Steps,
    int Agents,
    double ElapsedMs)
{
    /// <summary>The greedy plan was returned (it was better, or the solve stayed decoherent).</summary>
    public bool FellBack => Origin == PlanOrigin.Greedy;
}
