namespace QuantumEdge.Federation.Aggregates;

/// <summary>The node's federation privacy budget for the current UTC day.</summary>
public sealed record BudgetStatus(DateOnly Day, int Releases, double EpsilonSpent, double MaxEpsilonPerDay, double Delta, bool Exhausted)
{
    public double EpsilonLeft => Math.Max(0, MaxEpsilonPerDay - EpsilonSpent);
}
