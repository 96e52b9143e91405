namespace QuantumEdge.Federation.Lending;

/// <summary>
/// The request ids each peer used within the replay window, so a captured lending request cannot
/// be sent again. An id is kept for twice the skew window after it was first seen: a signed
/// timestamp is at most one skew ahead of this node's clock, and a request is accepted only while
/// its timestamp is within one skew of now, so by then the id could not pass the time check
/// anyway. Bounded per peer: when a peer's window is full its further requests are refused
/// (<see cref="LendingRefusalReason.ReplayWindowFull"/>) rather than forgetting ids early.
/// Only authenticated requests reach it, so an unknown sender cannot fill it. Thread-safe.
/// </summary>
public sealed class LendingReplayWindow(TimeSpan skew, int maxIdsPerPeer = LendingReplayWindow.DefaultMaxIdsPerPeer)
{
    public const int DefaultMaxIdsPerPeer = 50_000;

    private readonly Dictionary<string, PeerIds> _peers = new(StringComparer.Ordinal);

    /// <summary>What <see cref="TryRemember"/> found.</summary>
    public enum Outcome
    {
        Remembered,
        Replay,
        Full,
    }

    public Outcome TryRemember(string peer, string requestId, DateTimeOffset now)
    {
        lock (_peers)
        {
            if (!_peers.TryGetValue(peer, out var ids))
            {
                ids = new PeerIds();
                _peers[peer] = ids;
            }

            while (ids.Order.TryPeek(out var oldest) && oldest.Expires <= now)
            {
                ids.Order.Dequeue();
                ids.Seen.Remove(oldest.Id);
            }

            if (ids.Seen.Contains(requestId))
            {
                return Outcome.Replay;
            }

            if (ids.Seen.Count >= maxIdsPerPeer)
            {
                return Outcome.Full;
            }

            ids.Seen.Add(requestId);
            ids.Order.Enqueue((now + skew + skew, requestId));
            return Outcome.Remembered;
        }
    }

    /// <summary>How many ids are held for a peer (status and tests).</summary>
    public int Count(string peer)
    {
        lock (_peers)
        {
            return _peers.TryGetValue(peer, out var ids) ? ids.Seen.Count : 0;
        }
    }

    private sealed class PeerIds
    {
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);
        public Queue<(DateTimeOffset Expires, string Id)> Order { get; } = new();
    }
}
