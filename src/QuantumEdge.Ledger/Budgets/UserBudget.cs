using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.Budgets;

/// <summary>One user's budget for one day, decrypted for display.</summary>
public sealed record UserBudget
{
    public required string UserId { get; init; }
    public string? Department { get; init; }
    public required string DayKey { get; init; }
    public required BudgetState State { get; init; }
    public required double Spent { get; init; }
    public required double Budget { get; init; }
    public double Remaining => Math.Max(0, Budget - Spent);
}
