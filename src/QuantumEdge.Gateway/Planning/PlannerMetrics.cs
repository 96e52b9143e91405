using Prometheus;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// The deployment guide's planner metrics, under their exact names from the deployment guide (meanings in docs/architecture.md):
/// <c>quantum_coherence_utilization</c> rolling mean coherence of recent solves;
/// <c>superposition_tasks_active</c> requests being planned right now;
/// <c>entanglement_strength_avg</c> rolling mean, over coupled groups in recent plans, of the share
/// of the group's coupling weight the plan honours (1 = every coupled pair on one backend);
/// <c>interference_optimization_gain</c> rolling mean of (greedy − planned)/|greedy| over recent solves;
/// <c>task_planning_time</c> histogram of each request's planning time in seconds (queue wait + plan),
/// so p95 = histogram_quantile(0.95, rate(task_planning_time_bucket[5m]));
/// <c>throughput_tasks_per_second</c> requests planned per second over the throughput window;
/// <c>quantum_optimization_efficiency</c> share of recent solves whose plan beat or matched greedy
/// within the solve budget (a budget overrun counts as not matching).
/// </summary>
internal sealed class PlannerMetrics
{
    public PlannerMetrics(CollectorRegistry registry)
    {
        var factory = NodeMetricFactory.For(registry);
        CoherenceUtilization = factory.CreateGauge("quantum_coherence_utilization", "Rolling mean coherence of recent planner solves: share of agents whose plan is within 1% of the best agent's.");
        SuperpositionTasksActive = factory.CreateGauge("superposition_tasks_active", "Requests being planned right now.");
        EntanglementStrengthAvg = factory.CreateGauge("entanglement_strength_avg", "Rolling mean, over coupled request groups in recent plans, of the share of their coupling weight placed on one backend.");
        InterferenceOptimizationGain = factory.CreateGauge("interference_optimization_gain", "Rolling mean of (greedy - planned) / |greedy| objective over recent solves.");
        TaskPlanningTime = factory.CreateHistogram("task_planning_time", "Planning time of each request in seconds: queue wait plus plan.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.00001, 2, 18) });
        ThroughputTasksPerSecond = factory.CreateGauge("throughput_tasks_per_second", "Requests planned per second over the throughput window.");
        OptimizationEfficiency = factory.CreateGauge("quantum_optimization_efficiency", "Share of recent solves whose plan beat or matched the greedy baseline within budget.");
    }

    public Gauge CoherenceUtilization { get; }

    public Gauge SuperpositionTasksActive { get; }

    public Gauge EntanglementStrengthAvg { get; }

    public Gauge InterferenceOptimizationGain { get; }

    public Histogram TaskPlanningTime { get; }

    public Gauge ThroughputTasksPerSecond { get; }

    public Gauge OptimizationEfficiency { get; }
}
