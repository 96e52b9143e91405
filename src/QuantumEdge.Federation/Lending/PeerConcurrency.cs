namespace QuantumEdge.Federation.Lending;

/// <summary>
/// How many lent requests each peer has running on this node, against <c>max_concurrency_per_peer</c>.
/// A slot is taken only after a request is authenticated and released when its answer is done.
/// Thread-safe.
/// </summary>
public sealed class PeerConcurrency(int maxPerPeer)
{
    private readonly Dictionary<string, int> _running = new(StringComparer.Ordinal);

    public int MaxPerPeer => maxPerPeer;

    /// <summary>A slot for <paramref name="peer"/>, or null when it already has <see cref="MaxPerPeer"/> running.</summary>
    public IDisposable? TryEnter(string peer)
    {
        lock (_running)
        {
            var running = _running.GetValueOrDefault(peer);
            if (running >= maxPerPeer)
            {
                return null;
            }

            _running[peer] = running + 1;
            return new Slot(this, peer);
        }
    }

    public int Running(string peer)
    {
        lock (_running)
        {
            return _running.GetValueOrDefault(peer);
        }
    }

    private void Leave(string peer)
    {
        lock (_running)
        {
            if (_running[peer] == 1)
            {
                _running.Remove(peer);
            }
            else
            {
                _running[peer]--;
            }
        }
    }

    private sealed class Slot(PeerConcurrency owner, string peer) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
            {
                owner.Leave(peer);
            }
        }
    }
}
