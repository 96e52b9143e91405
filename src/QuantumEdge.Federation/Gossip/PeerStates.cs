using QuantumEdge.Federation.Identity;

namespace QuantumEdge.Federation.Gossip;

/// <summary>
/// Reachability and backoff of every configured peer. After n consecutive failures a peer is
/// not contacted for min(max, base·2^(n−1)), jittered by ±20%, so a peer that is down costs
/// almost nothing and never delays the others. Thread-safe.
/// </summary>
public sealed class PeerStates
{
    private readonly object _gate = new();
    private readonly Dictionary<string, PeerState> _states = new(StringComparer.Ordinal);

    public PeerStates(IEnumerable<TrustedPeer> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        foreach (var peer in peers)
        {
            _states[peer.Id] = new PeerState(peer.Id, peer.Url, null, null, null, 0, DateTimeOffset.MinValue);
        }
    }

    public IReadOnlyList<PeerState> All
    {
        get
        {
            lock (_gate)
            {
                return _states.Values.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
            }
        }
    }

    public bool IsDue(string id, DateTimeOffset now)
    {
        lock (_gate)
        {
            return _states.TryGetValue(id, out var s) && s.NextAttempt <= now;
        }
    }

    public void Succeeded(string id, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_states.TryGetValue(id, out var s))
            {
                _states[id] = s with { LastContact = now, ConsecutiveFailures = 0, NextAttempt = DateTimeOffset.MinValue };
            }
        }
    }

    public void Failed(string id, DateTimeOffset now, string error, GossipOptions options, Random random)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        lock (_gate)
        {
            if (!_states.TryGetValue(id, out var s))
            {
                return;
            }

            var failures = s.ConsecutiveFailures + 1;
            var backoff = Math.Min(options.MaxBackoff.TotalMilliseconds, options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30)));
            var jittered = backoff * (1 + (options.Jitter * ((2 * random.NextDouble()) - 1)));
            _states[id] = s with
            {
                LastFailure = now,
                LastError = error.Length > 200 ? error[..200] : error,
                ConsecutiveFailures = failures,
                NextAttempt = now + TimeSpan.FromMilliseconds(jittered),
            };
        }
    }
}
