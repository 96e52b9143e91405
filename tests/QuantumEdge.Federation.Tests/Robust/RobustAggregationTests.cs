using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Robust;

namespace QuantumEdge.Federation.Tests.Robust;

public sealed class RobustAggregationTests
{
    private static ReleaseCell Cell(string model, string category, double requests, double errorRate, double timeoutRate, double feedbackMean,
        int ttftBucket, int totalBucket)
    {
        var ttft = new double[HistogramEdges.TtftMs.Count + 1];
        ttft[ttftBucket] = requests * 0.6;
        ttft[Math.Min(ttftBucket + 1, ttft.Length - 1)] += requests * 0.4;
        var total = new double[HistogramEdges.TotalMs.Count + 1];
        total[totalBucket] = requests * 0.7;
        total[Math.Min(totalBucket + 1, total.Length - 1)] += requests * 0.3;
        return new ReleaseCell(model, category, requests / 4, requests, requests * errorRate, requests * timeoutRate, feedbackMean * requests / 2,
            requests / 2, ttft, total);
    }

    private static AggregateRelease Release(params ReleaseCell[] cells) =>
        new(Samples.Now.AddMinutes(-1), Samples.Now, 0.5, 1e-6, 5, HistogramEdges.TtftMs, HistogramEdges.TotalMs, cells);

    private static Dictionary<string, AggregateRelease> Honest() => new(StringComparer.Ordinal)
    {
        ["h1"] = Release(Cell("llama", "qa", 400, 0.02, 0.01, 0.5, 2, 2), Cell("mistral", "qa", 300, 0.05, 0.00, 0.2, 3, 3)),
        ["h2"] = Release(Cell("llama", "qa", 500, 0.03, 0.02, 0.6, 2, 3), Cell("mistral", "qa", 350, 0.04, 0.01, 0.1, 3, 4)),
        ["h3"] = Release(Cell("llama", "qa", 450, 0.04, 0.01, 0.4, 3, 2), Cell("mistral", "qa", 320, 0.06, 0.02, 0.3, 4, 3)),
        ["h4"] = Release(Cell("llama", "qa", 420, 0.05, 0.03, 0.7, 2, 2), Cell("mistral", "qa", 310, 0.05, 0.01, 0.2, 3, 3)),
    };

    private static IEnumerable<(string Name, Func<CellInsight, RobustFigure?> Get)> Figures() =>
    [
        ("requests", c => c.Requests), ("error_rate", c => c.ErrorRate), ("timeout_rate", c => c.TimeoutRate),
        ("feedback_mean", c => c.FeedbackMean), ("ttft_p50", c => c.TtftP50Ms), ("ttft_p95", c => c.TtftP95Ms),
        ("total_p50", c => c.TotalP50Ms), ("total_p95", c => c.TotalP95Ms),
    ];

    private static void AssertWithinHonestRange(Dictionary<string, AggregateRelease> honest, ReleaseCell poison)
    {
        var all = new Dictionary<string, AggregateRelease>(honest, StringComparer.Ordinal) { ["poisoned"] = Release(poison) };
        var combined = RobustAggregator.Combine(all, Samples.Now);
        var honestOnly = honest.ToDictionary(p => p.Key, p => RobustAggregator.Combine(new Dictionary<string, AggregateRelease> { [p.Key] = p.Value }, Samples.Now));
        var cell = combined.Cells.Single(c => c.Model == poison.Model && c.Category == poison.Category);
        Assert.Equal(5, cell.Peers);
        foreach (var (name, get) in Figures())
        {
            var honestValues = honestOnly.Values.Select(i => get(i.Cells.Single(c => c.Model == poison.Model && c.Category == poison.Category))!.Median).ToList();
            var figure = get(cell)!;
            Assert.InRange(figure.Median, honestValues.Min(), honestValues.Max());
            Assert.InRange(figure.TrimmedMean, honestValues.Min() - 1e-9, honestValues.Max() + 1e-9);
        }
    }

    [Fact]
    public void One_poisoned_peer_of_five_cannot_drag_any_figure_outside_the_honest_range()
    {
        var honest = Honest();
        // Extreme high: everything failed, absurd volume, every request in the slowest bucket.
        AssertWithinHonestRange(honest, new ReleaseCell("llama", "qa", 1e9, 1e12, 1e12, -1e12, 1e12, 1e12,
            [0, 0, 0, 0, 0, 0, 0, 0, 1e12], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1e12]));
        // Extreme low: perfect and instant.
        AssertWithinHonestRange(honest, new ReleaseCell("llama", "qa", 1e9, -1e12, -1e12, 1e12, 1e9, 1e12,
            [1e12, 0, 0, 0, 0, 0, 0, 0, 0], [1e12, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    }

    [Fact]
    public void Random_poison_against_random_honest_peers_never_escapes_the_honest_range()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 200; trial++)
        {
            var honest = new Dictionary<string, AggregateRelease>(StringComparer.Ordinal);
            for (var p = 0; p < 4; p++)
            {
                honest[$"h{p}"] = Release(Cell("m", "c", 100 + random.Next(900), random.NextDouble() * 0.2, random.NextDouble() * 0.1,
                    (random.NextDouble() * 2) - 1, random.Next(8), random.Next(9)));
            }

            double Wild() => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(0, 15));
            AssertWithinHonestRange(honest, new ReleaseCell("m", "c", Wild(), Wild(), Wild(), Wild(), Wild(), Wild(),
                Enumerable.Range(0, 9).Select(_ => Wild()).ToArray(), Enumerable.Range(0, 10).Select(_ => Wild()).ToArray()));
        }
    }

    [Fact]
    public void The_plain_mean_would_have_been_dragged_which_is_why_it_is_not_used()
    {
        var values = new[] { 0.02, 0.03, 0.04, 0.05, 1.0 };
        Assert.True(values.Average() > 0.05);
        Assert.InRange(RobustStatistics.Median(values), 0.02, 0.05);
        Assert.InRange(RobustStatistics.TrimmedMean(values), 0.02, 0.05);
        Assert.Equal(0.04, RobustStatistics.TrimmedMean(values), 12);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(3, 1)]
    [InlineData(5, 1)]
    [InlineData(10, 2)]
    [InlineData(11, 2)]
    public void Trimming_drops_at_least_one_value_per_end_from_three_peers_on(int n, int trimmed)
    {
        Assert.Equal(trimmed, RobustStatistics.TrimCount(n, 0.2));
    }

    [Fact]
    public void Percentiles_interpolate_inside_the_bucket()
    {
        // 10 in [0, 50), 10 in [50, 100): the median is the edge, p75 halfway into the second bucket.
        double[] counts = [10, 10, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(50, CellFigures.Percentile(counts, HistogramEdges.TtftMs, 0.5));
        Assert.Equal(75, CellFigures.Percentile(counts, HistogramEdges.TtftMs, 0.75));
        Assert.Null(CellFigures.Percentile(counts, HistogramEdges.TtftMs, 0.5, minCount: 100));
        Assert.Null(CellFigures.Percentile([1, 2], HistogramEdges.TtftMs, 0.5));
    }

    [Fact]
    public void Rates_over_too_few_noisy_requests_are_left_out()
    {
        var small = new Dictionary<string, AggregateRelease> { ["h1"] = Release(Cell("m", "c", 8, 0.5, 0, 0, 1, 1)) };
        var cell = Assert.Single(RobustAggregator.Combine(small, Samples.Now).Cells);
        Assert.Equal(8, cell.Requests.Median);
        Assert.Null(cell.ErrorRate);
        Assert.Null(cell.TtftP50Ms);
    }

    [Fact]
    public void Stale_excluded_and_foreign_edge_releases_are_skipped()
    {
        var releases = Honest();
        releases["old"] = Release(Cell("llama", "qa", 400, 0.9, 0, 0, 1, 1)) with { WindowEnd = Samples.Now.AddDays(-2) };
        releases["odd-edges"] = Release(Cell("llama", "qa", 400, 0.9, 0, 0, 1, 1)) with { TtftEdgesMs = [1, 2, 3, 4, 5, 6, 7, 8] };
        releases["self"] = Release(Cell("llama", "qa", 400, 0.9, 0, 0, 1, 1));
        var insights = RobustAggregator.Combine(releases, Samples.Now, exclude: o => o == "self");
        Assert.Equal(["h1", "h2", "h3", "h4"], insights.Contributors);
        Assert.Equal(4, insights.Cells.Single(c => c.Model == "llama").Peers);
    }

    [Fact]
    public void Priors_per_model_need_three_peers()
    {
        var releases = Honest();
        var insights = RobustAggregator.Combine(releases, Samples.Now);
        var llama = insights.Priors.Single(p => p.Model == "llama");
        Assert.Equal(4, llama.Peers);
        Assert.InRange(llama.ErrorRate!.Value, 0.02, 0.05);
        Assert.InRange(llama.TtftP50Ms!.Value, 100, 400);
        Assert.NotNull(llama.TotalP95Ms);

        var two = RobustAggregator.Combine(releases.Take(2).ToDictionary(p => p.Key, p => p.Value), Samples.Now);
        var thin = two.Priors.Single(p => p.Model == "llama");
        Assert.Equal(2, thin.Peers);
        Assert.Null(thin.ErrorRate);
        Assert.Null(thin.TtftP50Ms);
    }
}
