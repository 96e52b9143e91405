namespace QuantumEdge.Ledger.Audit;

/// <summary>A stored audit record with user and department decrypted.</summary>
public sealed record AuditRecord
{
    public required long Seq { get; init; }
    public required DateTimeOffset Time { get; init; }
    public required AuditEntry Entry { get; init; }
    public required string PrevHash { get; init; }
    public required string Hash { get; init; }

    /// <summary>
    /// The hash chain the record belongs to where a ledger keeps several (one per replica sharing a
    /// database; seq counts within it); null for the single-chain embedded ledger.
    /// </summary>
    public string? Chain { get; init; }
}
