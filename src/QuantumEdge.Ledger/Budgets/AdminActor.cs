using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.Budgets;

/// <summary>Who performed an admin action, for its audit record.</summary>
public sealed record AdminActor
{
    private readonly string _userId = "";
    private readonly string _reason = "";

    /// <summary>The actor's id, escaped as <see cref="AuditText.DetailValue"/> (it reaches the report and the detail).</summary>
    public required string UserId
    {
        get => _userId;
        init => _userId = AuditText.DetailValue(value);
    }

    public string Role { get; init; } = "admin";
    public string? Department { get; init; }
    public required string RequestId { get; init; }

    /// <summary>Short reason without PHI, escaped as <see cref="AuditText.DetailValue"/>: it goes into a <c>key=value;…</c> detail.</summary>
    public string Reason
    {
        get => _reason;
        init => _reason = AuditText.DetailValue(value);
    }
}
