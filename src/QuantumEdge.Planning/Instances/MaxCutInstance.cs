namespace QuantumEdge.Planning.Instances;

/// <summary>
/// A weighted undirected graph whose cut is to be maximised (the Gset benchmark problem).
/// A solution is one ±1 spin per node; the cut is the weight of edges whose ends differ.
/// </summary>
public sealed class MaxCutInstance
{
    private readonly WeightedEdge[] _edges;

    public MaxCutInstance(int nodeCount, IEnumerable<WeightedEdge> edges)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nodeCount);
        ArgumentNullException.ThrowIfNull(edges);
        _edges = [.. edges];
        foreach (var e in _edges)
        {
            if ((uint)e.I >= (uint)nodeCount || (uint)e.J >= (uint)nodeCount)
            {
                throw new ArgumentException($"edge ({e.I},{e.J}) has a node outside 0..{nodeCount - 1}", nameof(edges));
            }

            if (e.I == e.J)
            {
                throw new ArgumentException($"edge ({e.I},{e.J}) is a self-loop", nameof(edges));
            }
        }

        NodeCount = nodeCount;
        TotalWeight = _edges.Sum(e => e.Weight);
    }

    public int NodeCount { get; }

    public IReadOnlyList<WeightedEdge> Edges => _edges;

    /// <summary>Sum of all edge weights (W in cut = (W − Σ w s_i s_j) / 2).</summary>
    public double TotalWeight { get; }

    /// <summary>The exact cut value of a ±1 spin assignment (one spin per node).</summary>
    public double CutValue(ReadOnlySpan<sbyte> spins)
    {
        if (spins.Length != NodeCount)
        {
            throw new ArgumentException($"expected {NodeCount} spins, got {spins.Length}", nameof(spins));
        }

        var cut = 0.0;
        foreach (var e in _edges)
        {
            if (spins[e.I] != spins[e.J])
            {
                cut += e.Weight;
            }
        }

        return cut;
    }
}
