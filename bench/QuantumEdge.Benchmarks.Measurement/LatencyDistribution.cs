namespace QuantumEdge.Benchmarks.Measurement;

/// <summary>Sorted latency samples (ms) with nearest-rank percentiles.</summary>
public sealed class LatencyDistribution(double[] sorted)
{
    public static LatencyDistribution Empty { get; } = new([]);

    public int Count => sorted.Length;

    public double P50 => Percentile(50);

    public double P99 => Percentile(99);

    public double P999 => Percentile(99.9);

    public double Max => sorted.Length == 0 ? double.NaN : sorted[^1];

    public double Mean => sorted.Length == 0 ? double.NaN : sorted.Average();

    /// <summary>Nearest rank: the smallest sample with at least <paramref name="p"/>% of samples at or below it.</summary>
    public double Percentile(double p)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
