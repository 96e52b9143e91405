namespace QuantumEdge.Federation.Lending;

/// <summary>One request id a lender admitted, and when it leaves the replay window.</summary>
/// <param name="Peer">The borrower that used it.</param>
/// <param name="Id">The request id.</param>
/// <param name="Expires">When it could no longer pass the time check anyway.</param>
public readonly record struct RememberedId(string Peer, string Id, DateTimeOffset Expires);
