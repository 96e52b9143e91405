using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Routing;
using static QuantumEdge.Gateway.Tests.Routing.RoutingTestBackends;

namespace QuantumEdge.Gateway.Tests.Routing;

public sealed class LeastLoadedPlannerTests : IDisposable
{
    private readonly LeastLoadedPlanner _planner = new();
    private readonly BackendRegistry _registry = new(Config(
        Backend("restricted-a", ["clinical-7b"], [DataClassification.Restricted], maxConcurrency: 4),
        Backend("restricted-b", ["clinical-7b"], [DataClassification.Restricted], maxConcurrency: 4),
        Backend("public-idle", ["clinical-7b"], [DataClassification.Public, DataClassification.Internal], maxConcurrency: 64)));

    public void Dispose() => _registry.Dispose();

    private Backend this[string id] => _registry.All.Single(b => b.Id == id);

    private static RouteRequest Request(DataClassification c) => new()
    {
        Model = "clinical-7b",
        Classification = c,
        Department = "icu",
    };

    private async Task<Backend> ChooseAsync(DataClassification c) =>
        await _planner.ChooseAsync(Request(c), _registry.Permitted("clinical-7b", c), CancellationToken.None);

    private static async Task OccupyAsync(Backend b, int slots)
    {
        for (var i = 0; i < slots; i++)
        {
            Assert.True(await b.TryAcquireAsync(TimeSpan.Zero, CancellationToken.None));
        }
    }

    [Fact]
    public async Task The_backend_with_fewer_requests_in_flight_wins()
    {
        await OccupyAsync(this["restricted-a"], 2);
        await OccupyAsync(this["restricted-b"], 1);

        Assert.Equal("restricted-b", (await ChooseAsync(DataClassification.Restricted)).Id);
    }

    [Fact]
    public async Task An_idle_backend_that_is_not_permitted_is_never_chosen()
    {
        // Both permitted backends are full; the idle one is not cleared for restricted data.
        await OccupyAsync(this["restricted-a"], 4);
        await OccupyAsync(this["restricted-b"], 4);
        Assert.Equal(0, this["public-idle"].LoadFraction);

        for (var i = 0; i < 10; i++)
        {
            var chosen = await ChooseAsync(DataClassification.Restricted);
            Assert.StartsWith("restricted-", chosen.Id, StringComparison.Ordinal);
            Assert.True(chosen.Permits(DataClassification.Restricted));
        }
    }

    [Fact]
    public async Task The_choice_is_always_one_of_the_candidates()
    {
        await OccupyAsync(this["restricted-a"], 3);
        IReadOnlyList<Backend> only = [this["restricted-a"]];

        var chosen = await _planner.ChooseAsync(Request(DataClassification.Restricted), only, CancellationToken.None);

        Assert.Same(this["restricted-a"], chosen);
    }

    [Fact]
    public async Task The_backends_own_gauges_count_when_fresh()
    {
        this["restricted-a"].ExternalLoad = new BackendLoad(Running: 3, Waiting: 2, KvCacheUsage: 0.9, DateTimeOffset.UtcNow);
        await OccupyAsync(this["restricted-b"], 1);

        Assert.Equal(((3 + 2) / 4.0) + (0.5 * 0.9), this["restricted-a"].LoadFraction, 9);
        Assert.Equal("restricted-b", (await ChooseAsync(DataClassification.Restricted)).Id);
    }

    [Fact]
    public async Task Stale_gauges_are_ignored()
    {
        this["restricted-a"].ExternalLoad = new BackendLoad(Running: 4, Waiting: 10, KvCacheUsage: 1, DateTimeOffset.UtcNow.AddMinutes(-5));
        await OccupyAsync(this["restricted-b"], 1);

        Assert.Equal(0, this["restricted-a"].LoadFraction);
        Assert.Equal("restricted-a", (await ChooseAsync(DataClassification.Restricted)).Id);
    }

    [Fact]
    public async Task Released_slots_stop_counting()
    {
        var a = this["restricted-a"];
        await OccupyAsync(a, 2);
        await OccupyAsync(this["restricted-b"], 1);
        a.Release();
        a.Release();

        Assert.Equal(0, a.InFlight);
        Assert.Equal(2, a.Requests);
        Assert.Equal("restricted-a", (await ChooseAsync(DataClassification.Restricted)).Id);
    }

    [Fact]
    public async Task A_backend_gives_no_slot_past_its_max_concurrency()
    {
        var a = this["restricted-a"];
        await OccupyAsync(a, 4);

        Assert.False(await a.TryAcquireAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(4, a.InFlight);
    }
}
