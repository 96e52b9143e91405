using QuantumEdge.Federation.Aggregates;

namespace QuantumEdge.Federation.Robust;

/// <summary>
/// Figures derived from one (noisy or exact) cell: request count, error and timeout rates, mean
/// feedback, latency percentiles from the histograms. A figure is null when its denominator is
/// below <c>minCount</c>: a rate over a handful of noisy requests is noise, not information.
/// Noisy counts are clamped at 0 first. Post-processing only, so DP is unaffected.
/// </summary>
internal sealed record CellFigures(
    double Requests,
    double? ErrorRate,
    double? TimeoutRate,
    double? FeedbackMean,
    double? TtftP50Ms,
    double? TtftP95Ms,
    double? TotalP50Ms,
    double? TotalP95Ms)
{
    public static CellFigures From(ReleaseCell cell, double minCount)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var requests = Math.Max(0, cell.Requests);
        var enough = requests >= minCount && requests > 0;
        var feedbackCount = Math.Max(0, cell.FeedbackCount);
        return new CellFigures(
            requests,
            enough ? Math.Clamp(Math.Max(0, cell.Errors) / requests, 0, 1) : null,
            enough ? Math.Clamp(Math.Max(0, cell.Timeouts) / requests, 0, 1) : null,
            feedbackCount >= minCount && feedbackCount > 0 ? Math.Clamp(cell.FeedbackSum / feedbackCount, -1, 1) : null,
            Percentile(cell.TtftHistogram, HistogramEdges.TtftMs, 0.5, minCount),
            Percentile(cell.TtftHistogram, HistogramEdges.TtftMs, 0.95, minCount),
            Percentile(cell.TotalHistogram, HistogramEdges.TotalMs, 0.5, minCount),
            Percentile(cell.TotalHistogram, HistogramEdges.TotalMs, 0.95, minCount));
    }

    /// <summary>
    /// The p-quantile of a histogram (counts clamped at 0), interpolated linearly inside its
    /// bucket; the open last bucket is taken to end at twice the last edge.
    /// </summary>
    public static double? Percentile(IReadOnlyList<double> counts, IReadOnlyList<double> edges, double p, double minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(edges);
        if (counts.Count != edges.Count + 1)
        {
            return null;
        }

        var total = counts.Sum(c => Math.Max(0, c));
        if (total < minCount || total <= 0)
        {
            return null;
        }

        var target = p * total;
        var cumulative = 0.0;
        for (var i = 0; i < counts.Count; i++)
        {
            var c = Math.Max(0, counts[i]);
            if (c > 0 && cumulative + c >= target)
            {
                var lo = i == 0 ? 0 : edges[i - 1];
                var hi = i < edges.Count ? edges[i] : 2 * edges[^1];
                return lo + ((hi - lo) * ((target - cumulative) / c));
            }

            cumulative += c;
        }

        return 2 * edges[^1];
    }
}
