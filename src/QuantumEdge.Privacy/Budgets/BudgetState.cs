namespace QuantumEdge.Privacy;

/// <summary>
/// What one user has spent in the current window. RdpRate = Σ 1/σ_i² over the answered queries
/// (Gaussian curves add: RDP(α) = α·RdpRate/2).
/// </summary>
public readonly record struct BudgetState(long Queries, double RdpRate, double BasicEpsilon)
{
    /// <summary>Nothing spent yet.</summary>
    public static BudgetState Empty => default;
}
