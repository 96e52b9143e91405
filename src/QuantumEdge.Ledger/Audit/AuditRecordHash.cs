namespace QuantumEdge.Ledger.Audit;

/// <summary>
/// One audit record's fields as every storage engine keeps them (user and department encrypted,
/// the user's HMAC for lookups), in the order the chain hash covers them.
/// </summary>
internal readonly record struct StoredAuditFields(
    long Seq, long TimeTicks, int EventType, string? RequestId, byte[]? UserHash, byte[]? User, string? Role,
    byte[]? Department, string? Classification, string? Backend, string? Model, int PromptTokens, int CompletionTokens,
    int HttpStatus, double LatencyMs, string? Decision, double Epsilon, string? PromptHmac, string? Detail, long? RelatedSeq,
    byte[]? PrevHash);

/// <summary>
/// The hash that links an audit record into the chain: SHA-256 over prev_hash and the canonical
/// encoding of every other stored field. Engine-independent, so chains written by any engine
/// verify by the same rule.
/// </summary>
internal static class AuditRecordHash
{
    private const string Domain = "QE-AUDIT-RECORD-v1";

    public static byte[] Compute(in StoredAuditFields r, CanonicalEncoder encoder) =>
        encoder.Reset(Domain)
            .Int64(r.Seq)
            .Int64(r.TimeTicks)
            .Int32(r.EventType)
            .String(r.RequestId)
            .Bytes(r.UserHash)
            .Bytes(r.User)
            .String(r.Role)
            .Bytes(r.Department)
            .String(r.Classification)
            .String(r.Backend)
            .String(r.Model)
            .Int32(r.PromptTokens)
            .Int32(r.CompletionTokens)
            .Int32(r.HttpStatus)
            .Double(r.LatencyMs)
            .String(r.Decision)
            .Double(r.Epsilon)
            .String(r.PromptHmac)
            .String(r.Detail)
            .OptionalInt64(r.RelatedSeq)
            .Sha256(r.PrevHash);
}
