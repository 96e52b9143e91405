namespace QuantumEdge.Federation.Robust;

/// <summary>
/// Coordinate-wise robust location estimates. With f poisoned values among n and f ≤ t (the
/// number trimmed from each end), both results lie within the range of the honest values.
/// </summary>
internal static class RobustStatistics
{
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = Sorted(values);
        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>How many values the trimmed mean drops from each end: ⌊βn⌋, but at least one once there are three values.</summary>
    public static int TrimCount(int n, double fraction) => n < 3 ? 0 : Math.Max(1, Math.Min((n - 1) / 2, (int)Math.Floor(fraction * n)));

    /// <summary>The mean after dropping <see cref="TrimCount"/> values from each end.</summary>
    public static double TrimmedMean(IReadOnlyList<double> values, double fraction = 0.2)
    {
        var sorted = Sorted(values);
        var t = TrimCount(sorted.Length, fraction);
        var sum = 0.0;
        for (var i = t; i < sorted.Length - t; i++)
        {
            sum += sorted[i];
        }

        return sum / (sorted.Length - (2 * t));
    }

    private static double[] Sorted(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            throw new ArgumentException("at least one value is needed", nameof(values));
        }

        var sorted = values.ToArray();
        if (sorted.Any(double.IsNaN))
        {
            throw new ArgumentException("values must not be NaN", nameof(values));
        }

        Array.Sort(sorted);
        return sorted;
    }
}
