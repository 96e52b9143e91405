namespace QuantumEdge.Federation.Envelopes;

/// <summary>
/// Why an envelope was refused: the HTTP status the listener answers with (400 malformed,
/// 401 unknown origin or bad signature, 409 replay/stale/equivocation/quarantine), a stable
/// reason code (see <see cref="RefusalReason"/>) and a human-readable detail. A refusal never
/// changes state, except that equivocation and audit forks record their evidence.
/// </summary>
public sealed record Refusal(int Status, string Reason, string Detail)
{
    public static Refusal Malformed(string reason, string detail) => new(400, reason, detail);

    public static Refusal Unauthenticated(string reason, string detail) => new(401, reason, detail);

    public static Refusal Conflict(string reason, string detail) => new(409, reason, detail);

    public override string ToString() => $"{Status} {Reason}: {Detail}";
}
