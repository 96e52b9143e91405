namespace QuantumEdge.Ledger.Budgets;

/// <summary>Admin view filter; null members match everything. DayKey null = today.</summary>
public sealed record BudgetFilter
{
    public string? UserId { get; init; }
    public string? Department { get; init; }
    public string? DayKey { get; init; }
}
