using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Robust;
using QuantumEdge.Node.Federation;

namespace QuantumEdge.Node.Tests.Federation;

public sealed class FederationFirstTokenPriorsTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>A release whose first-token histogram puts most requests in <paramref name="ttftBucket"/>.</summary>
    private static AggregateRelease Release(string model, int ttftBucket)
    {
        var ttft = new double[HistogramEdges.TtftMs.Count + 1];
        ttft[ttftBucket] = 300;
        var total = new double[HistogramEdges.TotalMs.Count + 1];
        total[ttftBucket] = 300;
        var cell = new ReleaseCell(model, "chat", 80, 300, 3, 1, 40, 100, ttft, total);
        return new AggregateRelease(Start.AddMinutes(-1), Start, 0.5, 1e-6, 5, HistogramEdges.TtftMs, HistogramEdges.TotalMs, [cell]);
    }

    private static FederationInsights Insights(int ttftBucket) => RobustAggregator.Combine(
        new Dictionary<string, AggregateRelease>(StringComparer.Ordinal)
        {
            ["hospital-b"] = Release("clinical-7b", ttftBucket),
            ["hospital-c"] = Release("clinical-7b", ttftBucket),
            ["hospital-d"] = Release("clinical-7b", ttftBucket),
        },
        Start);

    [Fact]
    public void The_planner_reads_the_federations_first_token_median_per_model_and_nothing_for_unknown_models()
    {
        var clock = new ManualClock(Start);
        var expected = Insights(3).Priors.Single(p => p.Model == "clinical-7b").TtftP50Ms;
        Assert.NotNull(expected);

        var priors = new FederationFirstTokenPriors(() => Insights(3), clock);
        Assert.Equal(expected, priors.FirstTokenMs("clinical-7b"));
        Assert.Null(priors.FirstTokenMs("never-released"));
    }

    [Fact]
    public void A_new_aggregate_reaches_the_planner_within_the_refresh_interval()
    {
        var clock = new ManualClock(Start);
        var bucket = 2;
        var computed = 0;
        var priors = new FederationFirstTokenPriors(() =>
        {
            computed++;
            return Insights(bucket);
        }, clock);
        var before = priors.FirstTokenMs("clinical-7b");
        Assert.NotNull(before);

        // The peers' figures move; until the refresh interval passes the snapshot is served without recomputing.
        bucket = 5;
        clock.Now += FederationFirstTokenPriors.Refresh - TimeSpan.FromSeconds(1);
        Assert.Equal(before, priors.FirstTokenMs("clinical-7b"));
        Assert.Equal(1, computed);

        clock.Now += TimeSpan.FromSeconds(1);
        var after = priors.FirstTokenMs("clinical-7b");
        Assert.Equal(2, computed);
        Assert.True(after > before, $"prior should follow the peers from {before} to a slower figure, got {after}");
    }
}
