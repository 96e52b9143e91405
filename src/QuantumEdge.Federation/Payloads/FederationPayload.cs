using QuantumEdge.Federation.Aggregates;

namespace QuantumEdge.Federation.Payloads;

/// <summary>What an envelope carries; every part is optional. Never prompt text, user ids or patient context.</summary>
public sealed record FederationPayload(AuditHead? AuditHead, AggregateRelease? Release, LendingOffer? Lending)
{
    public static FederationPayload Empty { get; } = new(null, null, null);
}
