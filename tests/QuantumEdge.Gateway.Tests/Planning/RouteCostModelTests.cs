using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Planning;

namespace QuantumEdge.Gateway.Tests.Planning;

public class RouteCostModelTests
{
    private static Backend NewBackend(int maxConcurrency) => new(
        new BackendSettings
        {
            Id = "b",
            Url = new Uri("http://127.0.0.1:9/b/v1/"),
            Models = ["m"],
            MaxConcurrency = maxConcurrency,
            AllowedClassifications = [DataClassification.Public],
        },
        TimeSpan.FromSeconds(10));

    [Fact]
    public void A_warm_cache_shortens_the_first_token_and_longer_prompts_lengthen_it()
    {
        using var backend = NewBackend(4);
        var request = PlannerTestBed.Request(prompt: 1024, output: 0);
        var cold = RouteCostModel.Estimate(request, backend, cached: false);
        var warm = RouteCostModel.Estimate(request, backend, cached: true);
        Assert.Equal(cold.FirstTokenMs * (1 - RouteCostModel.CacheDiscount), warm.FirstTokenMs, 9);
        Assert.Equal(RouteCostModel.DefaultFirstTokenMs * (0.2 + (0.8 * 2)), cold.FirstTokenMs, 9);
        Assert.True(RouteCostModel.Estimate(PlannerTestBed.Request(prompt: 64, output: 0), backend, false).FirstTokenMs < cold.FirstTokenMs);
    }

    [Fact]
    public void The_federation_prior_stands_in_for_a_backend_that_has_not_answered_here_and_only_then()
    {
        using var backend = NewBackend(4);
        var request = PlannerTestBed.Request(prompt: 512, output: 0) with { FirstTokenPriorMs = 400 };
        Assert.Equal(400, RouteCostModel.Estimate(request, backend, cached: false).FirstTokenMs, 9);
        Assert.Equal(RouteCostModel.DefaultFirstTokenMs, RouteCostModel.Estimate(request with { FirstTokenPriorMs = null }, backend, false).FirstTokenMs, 9);

        // Once the backend has answered, its own measurement wins over any other hospital's figure.
        backend.ObserveLatency(TimeSpan.FromMilliseconds(30));
        Assert.Equal(backend.LatencyEwmaMs, RouteCostModel.Estimate(request, backend, false).FirstTokenMs, 9);
        Assert.NotEqual(400, backend.LatencyEwmaMs);
    }

    [Fact]
    public async Task A_full_backend_adds_queue_wait_and_slows_decoding()
    {
        using var backend = NewBackend(1);
        var request = PlannerTestBed.Request(prompt: 100, output: 50);
        var idle = RouteCostModel.Estimate(request, backend, false);
        Assert.Equal(0, idle.WaitMs);
        Assert.True(await backend.TryAcquireAsync(TimeSpan.Zero, CancellationToken.None));
        var busy = RouteCostModel.Estimate(request, backend, false);
        backend.Release();
        Assert.Equal(busy.ServiceMs, busy.WaitMs, 9);
        Assert.Equal(idle.DecodeMs * 2, busy.DecodeMs, 9);
    }

    [Fact]
    public void Priority_weighs_latency_and_throughput_favours_wide_backends()
    {
        var estimate = new RouteEstimate(10, 20, 30);
        Assert.Equal(DepartmentPriority.Critical * 60, RouteCostModel.Cost(estimate, DepartmentPriority.Of("ICU"), 0, 1), 9);
        Assert.Equal(DepartmentPriority.Background, DepartmentPriority.Of("research"));
        Assert.Equal(DepartmentPriority.Standard, DepartmentPriority.Of("dermatology"));
        Assert.Equal(DepartmentPriority.Standard, DepartmentPriority.Of(null));

        // Throughput ignores priority and queue wait, and halves the cost of a backend twice as wide.
        Assert.Equal(50 * 0.5, RouteCostModel.Cost(estimate, DepartmentPriority.Critical, 1, 0.5), 9);
    }

    [Fact]
    public void Adaptive_moves_from_latency_to_throughput_as_pressure_rises()
    {
        Assert.Equal(0, PlanningStrategies.ThroughputWeight(PlanningStrategy.Adaptive, 0));
        Assert.Equal(0.5, PlanningStrategies.ThroughputWeight(PlanningStrategy.Adaptive, 1));
        Assert.True(PlanningStrategies.ThroughputWeight(PlanningStrategy.Adaptive, 9) > 0.89);
        Assert.Equal(0.5, PlanningStrategies.ThroughputWeight(PlanningStrategy.Balanced, 9));
        Assert.Equal(0, PlanningStrategies.ThroughputWeight(PlanningStrategy.LatencyFocused, 9));
        Assert.Equal(1, PlanningStrategies.ThroughputWeight(PlanningStrategy.ThroughputFocused, 0));
        Assert.Equal("latency_focused", PlanningStrategies.EffectiveName(0.1));
        Assert.Equal("balanced", PlanningStrategies.EffectiveName(0.5));
        Assert.Equal("throughput_focused", PlanningStrategies.EffectiveName(0.9));
        Assert.Equal(PlanningStrategy.ThroughputFocused, PlanningStrategies.Parse("throughput_focused"));
    }
}
