namespace QuantumEdge.Ledger.Reports;

/// <summary>Privacy spend of one department over a report's period.</summary>
public sealed record DepartmentSpend
{
    public required string Department { get; init; }
    public required int Users { get; init; }
    public required long AdmittedQueries { get; init; }
    public required long Refusals { get; init; }

    /// <summary>ε charged, net of refunds.</summary>
    public required double EpsilonCharged { get; init; }
}
