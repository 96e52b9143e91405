using Prometheus;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Planning.Remote;

namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// The GPU planner process in metrics: <c>quantumedge_planner_solves_total{device}</c> (gpu, cpu),
/// <c>quantumedge_planner_fallbacks_total{reason}</c> (timeout, crash, protocol, refused, unavailable),
/// <c>quantumedge_planner_bypassed_total</c> (solves kept on the CPU by the open breaker) and
/// <c>quantumedge_planner_ipc_seconds</c> (round trip minus the planner's own solve time).
/// </summary>
public static class GpuPlannerMetrics
{
    public static void Register(CollectorRegistry registry, PlannerClientStats stats)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(stats);
        var factory = NodeMetricFactory.For(registry);
        var solves = factory.CreateCounter("quantumedge_planner_solves_total", "Assignment solves by the device that answered them.", "device");
        var fallbacks = factory.CreateCounter("quantumedge_planner_fallbacks_total", "Solves sent to the GPU planner process that the CPU answered instead, by reason.", "reason");
        var bypassed = factory.CreateCounter("quantumedge_planner_bypassed_total", "Solves kept on the CPU because the GPU planner's breaker was open.");
        var ipc = factory.CreateHistogram("quantumedge_planner_ipc_seconds", "Socket round trip to the GPU planner minus its solve time.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.00001, 2, 18) });
        solves.WithLabels("gpu");
        solves.WithLabels("cpu");
        stats.Solved += device => solves.WithLabels(device).Inc();
        stats.FellBack += reason => fallbacks.WithLabels(reason).Inc();
        stats.Ipc += seconds => ipc.Observe(seconds);
        registry.AddBeforeCollectCallback(() => bypassed.IncTo(stats.Bypassed));
    }
}
