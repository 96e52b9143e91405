using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Gateway.Tests.Forwarding;

namespace QuantumEdge.Gateway.Tests.Backends;

public sealed class BackendHealthMonitorTests
{
    [Fact]
    public async Task Probing_survives_a_round_that_fails_unexpectedly()
    {
        // The first two rounds throw what no probe expects; the hosted loop must log it and go on.
        var calls = 0;
        var healthy = new ScriptedHandler((_, _) => Interlocked.Increment(ref calls) <= 2
            ? throw new InvalidOperationException("surprise")
            : ScriptedHandler.Json(HttpStatusCode.OK, """{"data":[]}"""));
        var config = new NodeConfiguration
        {
            Backends = [new BackendSettings { Id = "b", Url = new Uri("http://b.invalid/v1/"), Models = ["m"], AllowedClassifications = [DataClassification.Public] }],
        };
        using var registry = new BackendRegistry(config, handlers: _ => healthy);
        var backend = registry.All.Single();
        backend.Healthy = false;
        using var monitor = new BackendHealthMonitor(registry, new GatewayMetrics(Prometheus.Metrics.NewCustomRegistry()), TimeSpan.FromMilliseconds(10),
            NullLogger<BackendHealthMonitor>.Instance);

        await monitor.StartAsync(CancellationToken.None);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!backend.Healthy)
        {
            // Polling the probe's verdict with a deadline.
            await Task.Delay(10, deadline.Token);
        }

        await monitor.StopAsync(CancellationToken.None);
        Assert.Equal("ok", backend.HealthDetail);
        Assert.True(calls >= 3);
    }

    [Fact]
    public async Task A_lost_first_probe_is_retried_after_one_second_not_after_the_probe_interval()
    {
        // The first probe is lost (as a timeout on a loaded host is); the interval is an hour.
        var calls = 0;
        var scripted = new ScriptedHandler((_, _) => Interlocked.Increment(ref calls) == 1
            ? throw new HttpRequestException("connection reset by peer")
            : ScriptedHandler.Json(HttpStatusCode.OK, """{"data":[]}"""));
        var config = new NodeConfiguration
        {
            Backends = [new BackendSettings { Id = "b", Url = new Uri("http://b.invalid/v1/"), Models = ["m"], AllowedClassifications = [DataClassification.Public] }],
        };
        using var registry = new BackendRegistry(config, handlers: _ => scripted);
        var backend = registry.All.Single();
        var clock = new ManualTimerClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var start = clock.GetUtcNow();
        using var monitor = new BackendHealthMonitor(registry, new GatewayMetrics(Prometheus.Metrics.NewCustomRegistry()), TimeSpan.FromHours(1),
            NullLogger<BackendHealthMonitor>.Instance, clock);

        await monitor.StartAsync(CancellationToken.None);
        await UntilAsync(() => clock.NextDue is not null, "the monitor never waited for its next round");
        Assert.False(backend.Healthy);
        Assert.Equal(1, Volatile.Read(ref calls));
        Assert.Equal(start + TimeSpan.FromSeconds(1), clock.NextDue);

        clock.Advance(TimeSpan.FromSeconds(1));
        await UntilAsync(() => backend.Healthy, "the retry a second later never made the backend healthy");
        await UntilAsync(() => clock.NextDue is not null, "the monitor never waited after the retry");
        Assert.Equal(2, Volatile.Read(ref calls));
        // Healthy again: the next probe waits the whole interval.
        Assert.Equal(start + TimeSpan.FromSeconds(1) + TimeSpan.FromHours(1), clock.NextDue);
        await monitor.StopAsync(CancellationToken.None);
    }

    private static async Task UntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(5); // Poll interval, bounded by the deadline.
        }
    }
}
