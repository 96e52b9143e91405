namespace QuantumEdge.Benchmarks.Measurement;

/// <summary>Sorted latency samples (ms) with nearest-rank percentiles.</summary>
public sealed class LatencyDistribution(double[] sorted)
{
    private readonly double[] _sorted = sorted;

    public static LatencyDistribution Empty { get; } = new([]);

    public int Count => _sorted.Length;

    public double P50 => Percentile(50);

    public double P99 => Percentile(99);

    public double P999 => Percentile(99.9);

    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    public double Mean => _sorted.Length == 0 ? double.NaN : _sorted.Average();

    /// <summary>All samples of several distributions as one (repetitions of a pass).</summary>
    public static LatencyDistribution Merge(IEnumerable<LatencyDistribution> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var all = parts.SelectMany(p => p._sorted).ToArray();
        Array.Sort(all);
        return new LatencyDistribution(all);
    }

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="p"/>% of samples at or below it.</summary>
    public double Percentile(double p)
    {
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }
}
