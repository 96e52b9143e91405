namespace QuantumEdge.Gateway.Planning;

/// <summary>The last N values of a series, with their mean in O(1) and percentiles on demand. Not thread-safe.</summary>
internal sealed class RollingWindow
{
    private readonly double[] _values;
    private int _next;
    private double _sum;

    public RollingWindow(int capacity)
    {
        _values = new double[capacity];
    }

    public int Count { get; private set; }

    /// <summary>NaN while empty.</summary>
    public double Mean => Count == 0 ? double.NaN : _sum / Count;

    public void Add(double value)
    {
        if (Count == _values.Length)
        {
            _sum -= _values[_next];
        }
        else
        {
            Count++;
        }

        _values[_next] = value;
        _sum += value;
        _next = (_next + 1) % _values.Length;

        // Re-sum now and then so that rounding in the running sum cannot drift.
        if (_next == 0)
        {
            _sum = 0;
            for (var i = 0; i < Count; i++)
            {
                _sum += _values[i];
            }
        }
    }

    /// <summary>Nearest-rank percentiles (q in [0, 1]) of the values held; NaN while empty.</summary>
    public double[] Percentiles(params ReadOnlySpan<double> quantiles)
    {
        var result = new double[quantiles.Length];
        if (Count == 0)
        {
            Array.Fill(result, double.NaN);
            return result;
        }

        var sorted = _values.AsSpan(0, Count).ToArray();
        Array.Sort(sorted);
        for (var i = 0; i < quantiles.Length; i++)
        {
            var rank = (int)Math.Ceiling(quantiles[i] * sorted.Length) - 1;
            result[i] = sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
        }

        return result;
    }
}
