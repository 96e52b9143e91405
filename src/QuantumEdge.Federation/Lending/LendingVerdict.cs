namespace QuantumEdge.Federation.Lending;

/// <summary>The lender's verdict on a lending request's authentication: accepted (with who and what), or refused with a status and reason.</summary>
public sealed record LendingVerdict(bool Accepted, int Status, string? Reason, string Message, string? Peer, string? RequestId, string? Classification)
{
    public static LendingVerdict Refuse(int status, string reason, string message) => new(false, status, reason, message, null, null, null);

    public static LendingVerdict Accept(string peer, string requestId, string classification) =>
        new(true, 200, null, "accepted", peer, requestId, classification);
}
