namespace QuantumEdge.Privacy;

/// <summary>The outcome of charging one query against a user's budget.</summary>
public readonly record struct BudgetDecision(bool Admitted, BudgetState After, double SpentBefore, double Requested, double SpentAfter, double Budget)
{
    public double Remaining => Math.Max(0, Budget - (Admitted ? SpentAfter : SpentBefore));
}
