using System.Diagnostics;
using System.Globalization;
using Prometheus;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Planning;
using QuantumEdge.Gateway.Routing;

namespace QuantumEdge.Node.Hosting.Scaling;

/// <summary>
/// <c>performance.scaling_policies</c> on one node, refreshed at each scrape: for every policy the
/// trigger's live value (<c>quantumedge_scaling_trigger_value</c>) and the recommendation
/// (<c>quantumedge_scaling_recommendation</c>: +1 up, −1 down, 0 hold; see <see cref="ScalingRule"/>).
/// A single appliance cannot start instances of itself, so the signal is what it offers: the shipped
/// <c>ScaleUpRecommended</c> alert, a dashboard panel, or an orchestrator's external metric act on it.
/// Triggers: <c>cpu_utilization</c> (process CPU time over the scrape interval per allowed core),
/// <c>memory_utilization</c> (working set / <c>resources.memory_limit</c>) and
/// <c>quantum_coherence_loss</c> (the planner's rolling mean coherence; no value before its first solve).
/// </summary>
internal sealed class ScalingSignals
{
    private readonly IReadOnlyList<ScalingPolicy> _policies;
    private readonly Gauge _value;
    private readonly Gauge _recommendation;
    private readonly Func<double> _memoryUtilization;
    private readonly IRoutePlanner _planner;
    private TimeSpan _lastCpu;
    private long _lastStamp;
    private double? _lastCpuUtilization;

    public ScalingSignals(CollectorRegistry registry, IReadOnlyList<ScalingPolicy> policies, Func<double> memoryUtilization, IRoutePlanner planner)
    {
        var f = NodeMetricFactory.For(registry);
        _value = f.CreateGauge("quantumedge_scaling_trigger_value",
            "Live value of each performance.scaling_policies trigger (NaN while it has none, e.g. coherence before the first solve).", "policy", "trigger");
        _recommendation = f.CreateGauge("quantumedge_scaling_recommendation",
            "What each performance.scaling_policies entry recommends now: 1 scale up, -1 scale down, 0 hold.", "policy", "trigger");
        _policies = policies;
        _memoryUtilization = memoryUtilization;
        _planner = planner;
        _lastCpu = Process.GetCurrentProcess().TotalProcessorTime;
        _lastStamp = Stopwatch.GetTimestamp();
    }

    public void Update()
    {
        var cpu = CpuUtilization();
        for (var i = 0; i < _policies.Count; i++)
        {
            var policy = _policies[i];
            double? value = policy.Trigger switch
            {
                "cpu_utilization" => cpu,
                "memory_utilization" => _memoryUtilization(),
                _ => Coherence(),
            };
            var labels = new[] { i.ToString(CultureInfo.InvariantCulture), policy.Trigger };
            _value.WithLabels(labels).Set(value ?? double.NaN);
            _recommendation.WithLabels(labels).Set(ScalingRule.Recommend(policy, value));
        }
    }

    private double? CpuUtilization()
    {
        var now = Stopwatch.GetTimestamp();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.GetElapsedTime(_lastStamp, now);
        if (wall < TimeSpan.FromMilliseconds(100))
        {
            // Two scrapes in quick succession: too short an interval to say anything new.
            return _lastCpuUtilization;
        }

        var used = (cpu - _lastCpu) / (wall * CpuLimit.Current());
        _lastCpu = cpu;
        _lastStamp = now;
        _lastCpuUtilization = Math.Clamp(used, 0, 1);
        return _lastCpuUtilization;
    }

    private double? Coherence() =>
        _planner is QuantumRoutePlanner quantum && quantum.Status() is { RecentSolves: > 0 } status ? status.MeanCoherence : null;
}
