namespace QuantumEdge.Batch.Benchmarks;

/// <summary>
/// A backend's KV cache as far as prefixes go: the most recently used prompt prefixes, up to a
/// token budget (what the GPU keeps beyond the running requests), evicted least recently used first.
/// </summary>
internal sealed class KvPrefixCache(int capacityTokens)
{
    private readonly LinkedList<(ulong Key, int Tokens)> _order = new();
    private readonly Dictionary<ulong, LinkedListNode<(ulong Key, int Tokens)>> _nodes = [];
    private int _tokens;

    /// <summary>Uses the prefix; true when it was still cached.</summary>
    public bool Touch(ulong key, int tokens)
    {
        if (key == 0)
        {
            return false;
        }

        if (_nodes.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            return true;
        }

        _nodes[key] = _order.AddFirst((key, tokens));
        _tokens += tokens;
        while (_tokens > capacityTokens && _order.Last is { } last)
        {
            _order.RemoveLast();
            _nodes.Remove(last.Value.Key);
            _tokens -= last.Value.Tokens;
        }

        return false;
    }
}
