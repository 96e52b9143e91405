namespace QuantumEdge.Gateway.Simulation;

/// <summary>
/// Which prompt prefixes this backend saw recently: a hit means its KV cache still holds them,
/// so prefill is cheaper. Bounded; the oldest entries go first.
/// </summary>
internal sealed class PrefixCache(int capacity = 4096, double ttlSeconds = 120)
{
    private readonly Dictionary<ulong, long> _seen = [];
    private readonly Queue<ulong> _order = new();
    private readonly Lock _lock = new();

    /// <summary>Records the prefix and says whether it was already cached.</summary>
    public bool TouchAndCheck(ulong prefix, long nowTicks)
    {
        lock (_lock)
        {
            var hit = _seen.TryGetValue(prefix, out var at) && TimeSpan.FromTicks(nowTicks - at).TotalSeconds <= ttlSeconds;
            if (!_seen.ContainsKey(prefix))
            {
                _order.Enqueue(prefix);
            }

            _seen[prefix] = nowTicks;
            while (_order.Count > capacity)
            {
                _seen.Remove(_order.Dequeue());
            }

            return hit;
        }
    }

    public double Usage
    {
        get
        {
            lock (_lock)
            {
                return (double)_seen.Count / capacity;
            }
        }
    }
}
