using QuantumEdge.Federation.Aggregates;

namespace QuantumEdge.Federation.Robust;

/// <summary>
/// Combines the latest valid release of every peer: each peer's cell becomes figures (rates,
/// percentiles; see <see cref="CellFigures"/>), and each figure is combined across peers by
/// coordinate-wise median and trimmed mean — so one poisoned peer among five cannot move a figure
/// outside the honest peers' range. Releases with other histogram edges, stale releases and
/// excluded origins (this node, quarantined ones) are skipped.
/// </summary>
internal static class RobustAggregator
{
    private static readonly Comparer<(string Model, string Category)> CellOrder = Comparer<(string Model, string Category)>.Create((a, b) =>
    {
        var byModel = string.CompareOrdinal(a.Model, b.Model);
        return byModel != 0 ? byModel : string.CompareOrdinal(a.Category, b.Category);
    });

    public static FederationInsights Combine(IReadOnlyDictionary<string, AggregateRelease> releases, DateTimeOffset now,
        RobustAggregationOptions? options = null, Func<string, bool>? exclude = null)
    {
        ArgumentNullException.ThrowIfNull(releases);
        options ??= new RobustAggregationOptions();
        var usable = releases
            .Where(p => exclude?.Invoke(p.Key) != true)
            .Where(p => now - p.Value.WindowEnd <= options.MaxReleaseAge)
            .Where(p => HistogramEdges.SameAs(p.Value.TtftEdgesMs, HistogramEdges.TtftMs) && HistogramEdges.SameAs(p.Value.TotalEdgesMs, HistogramEdges.TotalMs))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToList();

        var perCell = new SortedDictionary<(string Model, string Category), List<CellFigures>>(CellOrder);
        var perModel = new SortedDictionary<string, List<CellFigures>>(StringComparer.Ordinal);
        foreach (var (_, release) in usable)
        {
            var minCount = Math.Max(options.MinCount, options.MinSignalToNoise * release.NoiseSigma);
            foreach (var cell in release.Cells)
            {
                var key = (cell.Model, cell.Category);
                if (!perCell.TryGetValue(key, out var list))
                {
                    perCell[key] = list = [];
                }

                list.Add(CellFigures.From(cell, minCount));
            }

            // Per model: the peer's categories summed into one cell, then the same figures.
            foreach (var group in release.Cells.GroupBy(c => c.Model, StringComparer.Ordinal))
            {
                if (!perModel.TryGetValue(group.Key, out var list))
                {
                    perModel[group.Key] = list = [];
                }

                list.Add(CellFigures.From(Sum(group.Key, group.ToList()), minCount));
            }
        }

        var trim = options.TrimFraction;
        var cells = perCell.Select(p => new CellInsight(p.Key.Model, p.Key.Category, p.Value.Count,
            RobustFigure.Of(p.Value.Select(f => f.Requests).ToList(), trim)!,
            Figure(p.Value, f => f.ErrorRate, trim),
            Figure(p.Value, f => f.TimeoutRate, trim),
            Figure(p.Value, f => f.FeedbackMean, trim),
            Figure(p.Value, f => f.TtftP50Ms, trim),
            Figure(p.Value, f => f.TtftP95Ms, trim),
            Figure(p.Value, f => f.TotalP50Ms, trim),
            Figure(p.Value, f => f.TotalP95Ms, trim))).ToList();

        var priors = perModel.Select(p => new ModelPrior(p.Key, p.Value.Count,
            Prior(p.Value, f => f.TtftP50Ms, options.MinPeersForPrior),
            Prior(p.Value, f => f.TotalP50Ms, options.MinPeersForPrior),
            Prior(p.Value, f => f.TotalP95Ms, options.MinPeersForPrior),
            Prior(p.Value, f => f.ErrorRate, options.MinPeersForPrior),
            Prior(p.Value, f => f.TimeoutRate, options.MinPeersForPrior))).ToList();

        return new FederationInsights(now, usable.Select(p => p.Key).ToList(), cells, priors);
    }

    private static RobustFigure? Figure(List<CellFigures> figures, Func<CellFigures, double?> select, double trim) =>
        RobustFigure.Of(figures.Select(select).OfType<double>().ToList(), trim);

    private static double? Prior(List<CellFigures> figures, Func<CellFigures, double?> select, int minPeers)
    {
        var values = figures.Select(select).OfType<double>().Where(double.IsFinite).ToList();
        return values.Count >= minPeers ? RobustStatistics.Median(values) : null;
    }

    private static ReleaseCell Sum(string model, List<ReleaseCell> cells) => new(model, "*",
        cells.Sum(c => Math.Max(0, c.Users)),
        cells.Sum(c => Math.Max(0, c.Requests)),
        cells.Sum(c => Math.Max(0, c.Errors)),
        cells.Sum(c => Math.Max(0, c.Timeouts)),
        cells.Sum(c => c.FeedbackSum),
        cells.Sum(c => Math.Max(0, c.FeedbackCount)),
        SumBuckets(cells.Select(c => c.TtftHistogram)),
        SumBuckets(cells.Select(c => c.TotalHistogram)));

    private static double[] SumBuckets(IEnumerable<IReadOnlyList<double>> histograms)
    {
        double[]? sum = null;
        foreach (var h in histograms)
        {
            sum ??= new double[h.Count];
            for (var i = 0; i < Math.Min(sum.Length, h.Count); i++)
            {
                sum[i] += Math.Max(0, h[i]);
            }
        }

        return sum ?? [];
    }
}
