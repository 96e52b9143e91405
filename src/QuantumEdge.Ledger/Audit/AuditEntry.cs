namespace QuantumEdge.Ledger.Audit;

/// <summary>
/// What a caller asks to append to the audit trail. Seq, time and the hash chain are assigned by
/// the ledger. Never put prompt or completion text here: <see cref="PromptHmac"/> carries the
/// fingerprint from <see cref="Crypto.PromptFingerprint"/>.
/// </summary>
public sealed record AuditEntry
{
    public AuditEventType EventType { get; init; } = AuditEventType.Request;
    public string RequestId { get; init; } = "";
    public string? UserId { get; init; }
    public string? Role { get; init; }
    public string? Department { get; init; }
    public string? Classification { get; init; }
    public string? Backend { get; init; }
    public string? Model { get; init; }
    public int PromptTokens { get; init; }
    public int CompletionTokens { get; init; }
    public int HttpStatus { get; init; }
    public double LatencyMs { get; init; }
    public string Decision { get; init; } = AuditDecisions.Completed;
    public double EpsilonCharged { get; init; }
    public string? PromptHmac { get; init; }

    /// <summary>Short machine-readable detail (admin actions); no PHI.</summary>
    public string? Detail { get; init; }

    /// <summary>Seq of a related record (the charge a refund reverses).</summary>
    public long? RelatedSeq { get; init; }
}
