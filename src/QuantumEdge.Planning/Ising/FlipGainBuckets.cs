namespace QuantumEdge.Planning.Ising;

/// <summary>
/// The energy change of every single flip, kept sorted in buckets so that the best flip is found
/// without scanning every spin. It applies when the couplings and fields are whole multiples of
/// 1/scale for a small power-of-two scale (Gset graphs, ±1 grids, QUBOs with integer
/// coefficients): then s_i·f_i·scale is an integer in [−spread, spread] and a flip moves each
/// neighbour by a few buckets, so a move costs O(degree) instead of O(n).
/// </summary>
/// <remarks>
/// All spins sit in one array ordered by bucket (bucket b holds the spins whose key is b − spread,
/// in order[start[b] .. start[b+1])); moving a spin one bucket is one swap with the bucket's edge.
/// </remarks>
internal sealed class FlipGainBuckets
{
    /// <summary>Largest |s_i·f_i·scale| handled: beyond it the buckets cost more than a scan.</summary>
    private const int MaxSpread = 256;

    private static readonly int[] Scales = [1, 2, 4, 8];

    private readonly int[] _rowStart;
    private readonly int[] _columns;
    private readonly int[] _weights;
    private readonly int[] _key;
    private readonly int[] _order;
    private readonly int[] _position;
    private readonly int[] _start;
    private readonly int _spread;
    private readonly double _unit;
    private int _lowest;

    private FlipGainBuckets(IsingModel model, ReadOnlySpan<sbyte> spins, int scale, int spread, int[] weights, int[] field)
    {
        var n = model.Size;
        _rowStart = model.RowStart.ToArray();
        _columns = model.Columns.ToArray();
        _weights = weights;
        _spread = spread;
        _unit = 1.0 / scale;
        _key = new int[n];
        var counts = new int[(2 * spread) + 2];
        for (var i = 0; i < n; i++)
        {
            var f = field[i];
            for (var k = _rowStart[i]; k < _rowStart[i + 1]; k++)
            {
                f += _weights[k] * spins[_columns[k]];
            }

            _key[i] = spins[i] * f;
            counts[_key[i] + spread + 1]++;
        }

        for (var b = 1; b < counts.Length; b++)
        {
            counts[b] += counts[b - 1];
        }

        _start = counts;
        _order = new int[n];
        _position = new int[n];
        var fill = _start[..^1].ToArray();
        for (var i = 0; i < n; i++)
        {
            var at = fill[_key[i] + spread]++;
            _order[at] = i;
            _position[i] = at;
        }
    }

    /// <summary>Buckets, lowest energy change first.</summary>
    public int BucketCount => (2 * _spread) + 1;

    /// <summary>The buckets for <paramref name="spins"/>, or null when the model's coefficients are not small whole multiples of a common unit.</summary>
    public static FlipGainBuckets? TryCreate(IsingModel model, ReadOnlySpan<sbyte> spins)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var scale in Scales)
        {
            if (TryScale(model.Couplings, scale, out var weights) && TryScale(model.Field, scale, out var field))
            {
                var spread = 0;
                var rowStart = model.RowStart;
                for (var i = 0; i < model.Size && spread <= MaxSpread; i++)
                {
                    var reach = Math.Abs(field[i]);
                    for (var k = rowStart[i]; k < rowStart[i + 1]; k++)
                    {
                        reach += Math.Abs(weights[k]);
                    }

                    spread = Math.Max(spread, reach);
                }

                return spread <= MaxSpread ? new FlipGainBuckets(model, spins, scale, spread, weights, field) : null;
            }
        }

        return null;
    }

    /// <summary>The energy change of flipping any spin of bucket <paramref name="bucket"/>.</summary>
    public double Delta(int bucket) => 2 * (bucket - _spread) * _unit;

    /// <summary>The energy change of flipping spin <paramref name="spin"/>.</summary>
    public double DeltaOf(int spin) => 2 * _key[spin] * _unit;

    /// <summary>The lowest non-empty bucket (the best flips).</summary>
    public int LowestBucket()
    {
        while (_start[_lowest + 1] == _start[_lowest])
        {
            _lowest++;
        }

        return _lowest;
    }

    /// <summary>The spins of one bucket, in no particular order.</summary>
    public ReadOnlySpan<int> Bucket(int bucket) => _order.AsSpan(_start[bucket], _start[bucket + 1] - _start[bucket]);

    /// <summary>Flips <paramref name="spin"/> in <paramref name="spins"/> and moves it and its neighbours to their new buckets.</summary>
    public void Flip(int spin, Span<sbyte> spins)
    {
        var s = (sbyte)-spins[spin];
        spins[spin] = s;
        MoveTo(spin, -_key[spin]);
        for (var k = _rowStart[spin]; k < _rowStart[spin + 1]; k++)
        {
            // f_j gains 2·J_jp·s_p(new); the key s_j·f_j follows.
            var j = _columns[k];
            MoveTo(j, _key[j] + (2 * _weights[k] * s * spins[j]));
        }
    }

    private void MoveTo(int spin, int key)
    {
        var from = _key[spin] + _spread;
        var to = key + _spread;
        _key[spin] = key;
        while (from < to)
        {
            // Swap with the bucket's last spin, then let the next bucket start one earlier.
            var edge = _start[from + 1] - 1;
            Swap(spin, edge);
            _start[from + 1] = edge;
            from++;
        }

        while (from > to)
        {
            // Swap with the bucket's first spin, then let this bucket start one later.
            var edge = _start[from];
            Swap(spin, edge);
            _start[from] = edge + 1;
            from--;
        }

        _lowest = Math.Min(_lowest, to);
    }

    private void Swap(int spin, int at)
    {
        var other = _order[at];
        var was = _position[spin];
        _order[was] = other;
        _position[other] = was;
        _order[at] = spin;
        _position[spin] = at;
    }

    private static bool TryScale(ReadOnlySpan<double> values, int scale, out int[] scaled)
    {
        scaled = new int[values.Length];
        for (var k = 0; k < values.Length; k++)
        {
            // Powers of two scale doubles exactly, so the test for a whole number is exact too.
            var v = values[k] * scale;
            if (Math.Abs(v) > MaxSpread || v != Math.Round(v))
            {
                return false;
            }

            scaled[k] = (int)v;
        }

        return true;
    }
}
