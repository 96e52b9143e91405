namespace QuantumEdge.Planning.Solvers;

/// <summary>
/// Outcome of a solve. <see cref="BestObjective"/> is in the original problem's terms (cut for
/// MaxCut, value for QUBO); <see cref="Coherence"/> is the share of agents whose final energy is
/// within 1% of the best agent's in the last round.
/// </summary>
public sealed record SolverResult(
    double BestObjective,
    sbyte[] BestSpins,
    double TimeToBestMs,
    long Steps,
    int Agents,
    double Coherence,
    int Rounds,
    double ElapsedMs,
    IReadOnlyList<Improvement> Improvements);
