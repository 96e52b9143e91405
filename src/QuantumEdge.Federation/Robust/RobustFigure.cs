namespace QuantumEdge.Federation.Robust;

/// <summary>One federation figure: the coordinate-wise median and trimmed mean over the peers that reported it.</summary>
public sealed record RobustFigure(double Median, double TrimmedMean, int Peers)
{
    internal static RobustFigure? Of(IReadOnlyList<double> values, double trim) =>
        values.Count == 0 ? null : new RobustFigure(RobustStatistics.Median(values), RobustStatistics.TrimmedMean(values, trim), values.Count);
}
