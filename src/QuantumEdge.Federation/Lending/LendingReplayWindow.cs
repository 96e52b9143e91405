namespace QuantumEdge.Federation.Lending;

/// <summary>
/// The request ids each peer used within the replay window, so a captured lending request cannot
/// be sent again. An id is kept for twice the skew window after it was first seen: a signed
/// timestamp is at most one skew ahead of this node's clock, and a request is accepted only while
/// its timestamp is within one skew of now, so by then the id could not pass the time check
/// anyway. Bounded per peer: when a peer's window is full its further requests are refused
/// (<see cref="LendingRefusalReason.ReplayWindowFull"/>) rather than forgetting ids early.
/// Only authenticated requests reach it, so an unknown sender cannot fill it. Across a restart the
/// ids are carried by <see cref="LendingReplayHistory"/>: <see cref="Close"/> hands them over at a
/// clean stop and <see cref="Restore"/> takes them back; after a crash <see cref="DistrustSignedUpTo"/>
/// refuses whatever the lost ids could have covered. Thread-safe.
/// </summary>
public sealed class LendingReplayWindow(TimeSpan skew, int maxIdsPerPeer = LendingReplayWindow.DefaultMaxIdsPerPeer)
{
    public const int DefaultMaxIdsPerPeer = 50_000;

    private readonly Dictionary<string, PeerIds> _peers = new(StringComparer.Ordinal);
    private DateTimeOffset _distrustedUpTo = DateTimeOffset.MinValue;
    private bool _closed;

    /// <summary>What <see cref="TryRemember"/> found.</summary>
    public enum Outcome
    {
        Remembered,
        Replay,
        Full,
        /// <summary>Signed at or before <see cref="DistrustedUpTo"/>: it could be a replay of a request whose id was lost.</summary>
        HistoryLost,
        /// <summary>The window was handed over for a stop (<see cref="Close"/>): nothing more is admitted.</summary>
        Closed,
    }

    /// <summary>Requests signed at or before this instant are refused (<see cref="DateTimeOffset.MinValue"/>: none).</summary>
    public DateTimeOffset DistrustedUpTo
    {
        get
        {
            lock (_peers)
            {
                return _distrustedUpTo;
            }
        }
    }

    /// <param name="peer">The authenticated borrower.</param>
    /// <param name="requestId">Its signed request id.</param>
    /// <param name="signedAt">Its signed timestamp.</param>
    /// <param name="now">This node's clock.</param>
    public Outcome TryRemember(string peer, string requestId, DateTimeOffset signedAt, DateTimeOffset now)
    {
        lock (_peers)
        {
            if (_closed)
            {
                return Outcome.Closed;
            }

            if (signedAt <= _distrustedUpTo)
            {
                return Outcome.HistoryLost;
            }

            var ids = IdsOf(peer);
            Expire(ids, now);
            if (ids.Seen.Contains(requestId))
            {
                return Outcome.Replay;
            }

            if (ids.Seen.Count >= maxIdsPerPeer)
            {
                return Outcome.Full;
            }

            Add(ids, requestId, now + skew + skew);
            return Outcome.Remembered;
        }
    }

    /// <summary>
    /// After a start that could not recover the ids admitted before it (a crash): a request signed up to
    /// <paramref name="instant"/> (one skew past the start, as far ahead as a borrower's clock may run) could
    /// repeat one of them, so it is refused; borrowers signing fresh requests get through once it has passed.
    /// </summary>
    public void DistrustSignedUpTo(DateTimeOffset instant)
    {
        lock (_peers)
        {
            _distrustedUpTo = instant > _distrustedUpTo ? instant : _distrustedUpTo;
        }
    }

    /// <summary>
    /// Takes back ids handed over by an earlier process. Expired ones are dropped; an expiry further ahead than an id
    /// admitted now would get is brought back to that (a clock that ran ahead must not keep an id for longer). Where
    /// the per-peer bound leaves no room for an id, what it covered is distrusted instead of forgotten: requests
    /// signed up to one skew before its expiry are refused (<see cref="Outcome.HistoryLost"/>).
    /// </summary>
    public void Restore(IEnumerable<RememberedId> remembered, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(remembered);
        var latest = now + skew + skew;
        lock (_peers)
        {
            foreach (var id in remembered.Where(r => r.Expires > now).Select(r => r.Expires > latest ? r with { Expires = latest } : r).OrderBy(r => r.Expires))
            {
                var ids = IdsOf(id.Peer);
                if (ids.Seen.Contains(id.Id))
                {
                    continue;
                }

                if (ids.Seen.Count < maxIdsPerPeer)
                {
                    Add(ids, id.Id, id.Expires);
                }
                else if (id.Expires - skew > _distrustedUpTo)
                {
                    // It was first seen at Expires - 2 skew, so it was signed at most one skew after that.
                    _distrustedUpTo = id.Expires - skew;
                }
            }
        }
    }

    /// <summary>Admits nothing from now on and returns the ids still within the window, for the next process.</summary>
    public IReadOnlyList<RememberedId> Close(DateTimeOffset now)
    {
        lock (_peers)
        {
            _closed = true;
            var result = new List<RememberedId>();
            foreach (var (peer, ids) in _peers)
            {
                Expire(ids, now);
                result.AddRange(ids.Order.Select(o => new RememberedId(peer, o.Id, o.Expires)));
            }

            return result;
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

    private PeerIds IdsOf(string peer)
    {
        if (!_peers.TryGetValue(peer, out var ids))
        {
            ids = new PeerIds();
            _peers[peer] = ids;
        }

        return ids;
    }

    private static void Expire(PeerIds ids, DateTimeOffset now)
    {
        while (ids.Order.TryPeek(out var oldest) && oldest.Expires <= now)
        {
            ids.Order.Dequeue();
            ids.Seen.Remove(oldest.Id);
        }
    }

    private static void Add(PeerIds ids, string id, DateTimeOffset expires)
    {
        ids.Seen.Add(id);
        ids.Order.Enqueue((expires, id));
    }

    private sealed class PeerIds
    {
        public HashSet<string> Seen { get; } = new(StringComparer.Ordinal);
        public Queue<(DateTimeOffset Expires, string Id)> Order { get; } = new();
    }
}
