namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// <c>federation.lending</c>: whether this node offers spare backend capacity to peers for non-PHI
/// work and borrows from them. Published in the node's envelopes; the request path does not lend yet.
/// </summary>
public sealed record LendingSettings
{
    public bool Offer { get; init; }
    public bool Borrow { get; init; }
    public int MaxConcurrencyPerPeer { get; init; } = 8;

    internal static LendingSettings Read(YamlSection s)
    {
        var d = new LendingSettings();
        var result = new LendingSettings
        {
            Offer = s.Bool("offer", d.Offer),
            Borrow = s.Bool("borrow", d.Borrow),
            MaxConcurrencyPerPeer = s.Int("max_concurrency_per_peer", d.MaxConcurrencyPerPeer, 1, 10_000),
        };
        s.RejectUnknownKeys();
        return result;
    }
}
