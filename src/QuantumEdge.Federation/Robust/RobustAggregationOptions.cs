namespace QuantumEdge.Federation.Robust;

/// <summary>How peers' releases are combined.</summary>
public sealed record RobustAggregationOptions
{
    /// <summary>Fraction trimmed from each end for the trimmed mean (at least one value once there are three).</summary>
    public double TrimFraction { get; init; } = 0.2;

    /// <summary>A rate or percentile is used only when its noisy denominator is at least this.</summary>
    public double MinCount { get; init; } = 20;

    /// <summary>… and at least this many times the release's noise σ (so the signal dominates the noise).</summary>
    public double MinSignalToNoise { get; init; } = 2;

    /// <summary>Peers needed before a figure becomes a planner prior (3 survive one poisoned peer).</summary>
    public int MinPeersForPrior { get; init; } = 3;

    /// <summary>Releases whose window ended longer ago than this are not used.</summary>
    public TimeSpan MaxReleaseAge { get; init; } = TimeSpan.FromHours(24);
}
