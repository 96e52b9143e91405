namespace QuantumEdge.Planning.Ising;

/// <summary>
/// Optimal recombination of two states, cluster by cluster (the idea of Houdayer's cluster moves,
/// used greedily): the spins on which two states disagree fall into connected clusters, and no
/// coupling joins two different clusters, so each cluster can take either state's values
/// independently of the others. Taking, for every cluster, whichever is lower in energy gives the
/// best of the 2^clusters mixtures in O(n + couplings). On sparse ±1 models (toroidal grids) the
/// good states found by different agents differ in separate domains; this keeps the best of each,
/// which single flips cannot do.
/// </summary>
internal sealed class ClusterRecombination
{
    private readonly IsingModel _model;
    private readonly int[] _cluster;
    private readonly int[] _members;
    private int _mark;

    public ClusterRecombination(IsingModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _cluster = new int[model.Size];
        _members = new int[model.Size];
    }

    /// <summary>
    /// Changes <paramref name="target"/> to <paramref name="donor"/>'s values on every
    /// disagreement cluster where that lowers the energy; returns the energy change (≤ 0).
    /// </summary>
    public double Merge(Span<sbyte> target, ReadOnlySpan<sbyte> donor)
    {
        var n = _model.Size;
        if (target.Length != n || donor.Length != n)
        {
            throw new ArgumentException($"expected two states of {n} spins, got {target.Length} and {donor.Length}");
        }

        var rowStart = _model.RowStart;
        var columns = _model.Columns;
        var couplings = _model.Couplings;
        var field = _model.Field;
        if (_mark > int.MaxValue - n)
        {
            Array.Clear(_cluster);
            _mark = 0;
        }

        // Marks above the call's first are this call's clusters, so the array never needs clearing.
        var callStart = _mark;
        var total = 0.0;
        for (var seed = 0; seed < n; seed++)
        {
            if (target[seed] == donor[seed] || _cluster[seed] > callStart)
            {
                continue;
            }

            var mark = ++_mark;
            _cluster[seed] = mark;
            _members[0] = seed;
            var count = 1;
            var delta = 0.0;
            for (var head = 0; head < count; head++)
            {
                var i = _members[head];
                var si = target[i];
                // Flipping the cluster changes −h_i·s_i into +h_i·s_i, and each coupling to a spin
                // outside it from −J·s_i·s_j into +J·s_i·s_j; couplings inside it are unchanged.
                delta += 2 * field[i] * si;
                for (var k = rowStart[i]; k < rowStart[i + 1]; k++)
                {
                    var j = columns[k];
                    if (target[j] == donor[j])
                    {
                        delta += 2 * couplings[k] * si * target[j];
                    }
                    else if (_cluster[j] != mark)
                    {
                        _cluster[j] = mark;
                        _members[count++] = j;
                    }
                }
            }

            if (delta < -1e-9)
            {
                for (var m = 0; m < count; m++)
                {
                    target[_members[m]] = donor[_members[m]];
                }

                total += delta;
            }
        }

        return total;
    }
}
