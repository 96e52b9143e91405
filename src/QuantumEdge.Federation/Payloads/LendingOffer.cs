namespace QuantumEdge.Federation.Payloads;

/// <summary>Spare capacity a node offers its peers for internal/public work: whether it lends, how many concurrent requests per peer, which models.</summary>
public sealed record LendingOffer(bool Offer, int MaxConcurrencyPerPeer, IReadOnlyList<string> Models);
