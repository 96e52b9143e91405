using Prometheus;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// <c>quantumedge_gc_pause_seconds_total</c>: how long the garbage collector has held the process's
/// threads paused since it started, refreshed at each scrape. Every pause lands in the latency of the
/// requests in flight, so its rate (seconds paused per second) and its ratio to the collection count
/// (<c>dotnet_collection_count_total</c>: the mean pause) show what collections cost the request path,
/// which the counts alone do not.
/// </summary>
internal sealed class GcPauseTime(CollectorRegistry registry)
{
    private readonly Counter _paused = NodeMetricFactory.For(registry)
        .CreateCounter("quantumedge_gc_pause_seconds_total", "Time the garbage collector has held the process's threads paused since it started.");

    public void Update() => _paused.IncTo(GC.GetTotalPauseDuration().TotalSeconds);
}
