using QuantumEdge.Gateway.Emergency;

namespace QuantumEdge.Node.Emergency;

/// <summary>
/// What an emergency action did: an HTTP status (200, or the refusal's), the error code and message
/// when refused, the state now, and the audit record (or why none could be written).
/// </summary>
internal sealed record EmergencyOutcome(int Status, EmergencyState State, bool Changed)
{
    public string? ErrorCode { get; init; }
    public string? Error { get; init; }
    public long? AuditSeq { get; init; }

    /// <summary>Set when a restrictive action took effect although the ledger could not audit it (read-only after tampering).</summary>
    public string? AuditProblem { get; init; }

    /// <summary>Seconds for a <c>Retry-After</c> header on a refusal the caller may retry (the ledger's store unreachable).</summary>
    public int? RetryAfterSeconds { get; init; }

    public static EmergencyOutcome Refused(int status, string code, string message, EmergencyState state) =>
        new(status, state, false) { ErrorCode = code, Error = message };

    /// <summary>A refusal the request path would answer the same way (its status, code, message and <c>Retry-After</c>).</summary>
    public static EmergencyOutcome Refused(Gateway.Contracts.GatewayError error, EmergencyState state) =>
        Refused(error.Status, error.Code ?? "server_error", error.Message, state) with { RetryAfterSeconds = error.RetryAfterSeconds };
}
