namespace QuantumEdge.Federation.Robust;

/// <summary>One federation figure: the coordinate-wise median and trimmed mean over the peers that reported it.</summary>
public sealed record RobustFigure(double Median, double TrimmedMean, int Peers)
{
    internal static RobustFigure? Of(IReadOnlyList<double> values, double trim)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count == 0 ? null : new RobustFigure(RobustStatistics.Median(finite), RobustStatistics.TrimmedMean(finite, trim), finite.Count);
    }
}
