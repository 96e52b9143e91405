namespace QuantumEdge.Ledger.Budgets;

/// <summary>Who performed an admin action, for its audit record.</summary>
public sealed record AdminActor
{
    public required string UserId { get; init; }
    public string Role { get; init; } = "admin";
    public string? Department { get; init; }
    public required string RequestId { get; init; }

    /// <summary>Short reason without PHI.</summary>
    public string Reason { get; init; } = "";
}
