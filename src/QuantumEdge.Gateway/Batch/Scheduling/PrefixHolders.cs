namespace QuantumEdge.Gateway.Batch.Scheduling;

/// <summary>
/// Which backend a prefix was last sent to, and when: that backend probably still holds it in its
/// KV cache. Bounded: past its capacity, entries older than their lifetime go, then the oldest half.
/// Not thread-safe; the scheduler holds its lock.
/// </summary>
internal sealed class PrefixHolders(int capacity, TimeSpan lifetime)
{
    private readonly Dictionary<ulong, (string Backend, DateTimeOffset At)> _holders = [];

    public int Count => _holders.Count;

    public string? Holder(ulong prefix, DateTimeOffset now) =>
        prefix != 0 && _holders.TryGetValue(prefix, out var h) && now - h.At <= lifetime ? h.Backend : null;

    public void Record(ulong prefix, string backend, DateTimeOffset now)
    {
        if (prefix == 0)
        {
            return;
        }

        _holders[prefix] = (backend, now);
        if (_holders.Count <= capacity)
        {
            return;
        }

        foreach (var (key, holder) in _holders)
        {
            if (now - holder.At > lifetime)
            {
                _holders.Remove(key);
            }
        }

        if (_holders.Count > capacity)
        {
            var cut = _holders.Values.Select(h => h.At).Order().ElementAt(_holders.Count / 2);
            foreach (var (key, holder) in _holders)
            {
                if (holder.At < cut)
                {
                    _holders.Remove(key);
                }
            }
        }
    }
}
