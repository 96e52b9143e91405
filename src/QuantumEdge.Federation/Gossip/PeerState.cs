namespace QuantumEdge.Federation.Gossip;

/// <summary>What this node knows of a configured peer's reachability.</summary>
public sealed record PeerState(string Id, Uri? Url, DateTimeOffset? LastContact, DateTimeOffset? LastFailure, string? LastError,
    int ConsecutiveFailures, DateTimeOffset NextAttempt)
{
    /// <summary>Reachable: the last exchange succeeded.</summary>
    public bool Reachable => LastContact is not null && ConsecutiveFailures == 0;
}
