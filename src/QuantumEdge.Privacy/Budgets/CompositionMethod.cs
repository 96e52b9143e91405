namespace QuantumEdge.Privacy;

/// <summary>How the per-query costs of one user's window add up.</summary>
public enum CompositionMethod
{
    /// <summary>Rényi DP: the Gaussian curves add and the sum is converted to ε at the policy's δ.</summary>
    Rdp,

    /// <summary>Plain sum of the per-query ε.</summary>
    Basic,
}
