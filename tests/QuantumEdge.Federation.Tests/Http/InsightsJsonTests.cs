using System.Text.Json;
using QuantumEdge.Federation.Aggregates;
using QuantumEdge.Federation.Http;
using QuantumEdge.Federation.Tests.Gossip;

namespace QuantumEdge.Federation.Tests.Http;

public sealed class InsightsJsonTests
{
    [Fact]
    public async Task Insights_show_local_and_federation_figures_side_by_side_with_peer_counts()
    {
        using var cluster = new TestCluster(3, privacy: TestCluster.Privacy with { EpsilonPerRelease = 4, MaxEpsilonPerDay = 40, MaxRequestsPerUser = 2, MaxFeedbackPerUser = 2 });
        cluster.PublishAll();
        await cluster.RoundsUntilAsync(cluster.Converged);
        var member = cluster[0].Member;
        member.Observations.RecordRequest("u1", "llama-3.1-8b", "qa", RequestOutcome.Ok, 120, 700);

        using var doc = JsonDocument.Parse(InsightsJson.Write(member.Insights(), member.Observations.LocalCells()));
        var root = doc.RootElement;
        Assert.Equal(2, root.GetProperty("contributors").GetArrayLength());
        var qa = root.GetProperty("cells").EnumerateArray().Single(c => c.GetProperty("model").GetString() == "llama-3.1-8b" && c.GetProperty("category").GetString() == "qa");
        Assert.Equal(1, qa.GetProperty("local").GetProperty("requests").GetDouble());
        Assert.Equal(2, qa.GetProperty("federation").GetProperty("peers").GetInt32());
        Assert.True(qa.GetProperty("federation").GetProperty("requests").GetProperty("median").GetDouble() > 20);
        Assert.Contains(root.GetProperty("priors").EnumerateArray(), p => p.GetProperty("model").GetString() == "llama-3.1-8b");
    }

    [Fact]
    public void Insights_of_extreme_but_valid_releases_still_serialize()
    {
        var cell = new ReleaseCell("m", "c", 1e12, 1e12, 1e12, -1e12, 1e12, 1e12, Enumerable.Repeat(1e12, 9).ToArray(), Enumerable.Repeat(1e12, 10).ToArray());
        var release = new AggregateRelease(Samples.Now, Samples.Now, 0.5, 1e-6, 1e12, HistogramEdges.TtftMs, HistogramEdges.TotalMs,
            Enumerable.Repeat(cell, 1024).Select((c, i) => c with { Category = $"c{i}" }).ToList());
        var insights = QuantumEdge.Federation.Robust.RobustAggregator.Combine(new Dictionary<string, AggregateRelease> { ["a"] = release, ["b"] = release, ["c"] = release }, Samples.Now);
        using var doc = JsonDocument.Parse(InsightsJson.Write(insights));
        Assert.Equal(1024, doc.RootElement.GetProperty("cells").GetArrayLength());
    }
}
