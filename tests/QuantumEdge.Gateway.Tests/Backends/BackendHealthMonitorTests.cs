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
}
