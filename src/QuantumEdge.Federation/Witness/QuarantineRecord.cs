namespace QuantumEdge.Federation.Witness;

/// <summary>
/// Why an origin is quarantined (reason <c>equivocation</c> or <c>audit_fork</c>), since when,
/// and the evidence: the origin's own signed envelopes (JCS bytes) that contradict each other,
/// or the conflicting one with the recorded head it contradicts.
/// </summary>
public sealed record QuarantineRecord(string Origin, string Reason, string Detail, DateTimeOffset Since, IReadOnlyList<byte[]> Evidence);
