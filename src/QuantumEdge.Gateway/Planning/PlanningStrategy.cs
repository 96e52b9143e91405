namespace QuantumEdge.Gateway.Planning;

/// <summary>The deployment guide's <c>quantum_planning.optimization_strategy</c>.</summary>
internal enum PlanningStrategy
{
    /// <summary><c>latency_focused</c>: expected completion time, weighted by priority.</summary>
    LatencyFocused,

    /// <summary><c>throughput_focused</c>: backend time consumed per slot, i.e. tokens per second and utilisation.</summary>
    ThroughputFocused,

    /// <summary><c>balanced</c>: half of each.</summary>
    Balanced,

    /// <summary><c>adaptive</c>: from latency towards throughput as queue pressure rises.</summary>
    Adaptive,
}

/// <summary>Names and the latency/throughput mix of each strategy.</summary>
internal static class PlanningStrategies
{
    /// <summary>Reads a configured name (the config loader has already restricted it to the four).</summary>
    public static PlanningStrategy Parse(string name) => name switch
    {
        "latency_focused" => PlanningStrategy.LatencyFocused,
        "throughput_focused" => PlanningStrategy.ThroughputFocused,
        "balanced" => PlanningStrategy.Balanced,
        "adaptive" => PlanningStrategy.Adaptive,
        _ => throw new ArgumentException($"'{name}' is not one of latency_focused, throughput_focused, balanced, adaptive", nameof(name)),
    };

    public static string Name(PlanningStrategy strategy) => strategy switch
    {
        PlanningStrategy.LatencyFocused => "latency_focused",
        PlanningStrategy.ThroughputFocused => "throughput_focused",
        PlanningStrategy.Balanced => "balanced",
        _ => "adaptive",
    };

    /// <summary>
    /// θ, the weight of the throughput cost in cost = (1 − θ)·latency + θ·throughput:
    /// 0 for latency_focused, 1 for throughput_focused, ½ for balanced, and for adaptive
    /// θ = p / (1 + p) with queue pressure p = (requests queued or being planned + requests in
    /// flight on the batch's backends) / (Σ max_concurrency of those backends). So an idle node
    /// plans for latency (θ = 0), demand equal to capacity gives balanced (θ = ½), and θ → 1 as
    /// the backlog grows past capacity.
    /// </summary>
    public static double ThroughputWeight(PlanningStrategy strategy, double pressure) => strategy switch
    {
        PlanningStrategy.LatencyFocused => 0,
        PlanningStrategy.ThroughputFocused => 1,
        PlanningStrategy.Balanced => 0.5,
        _ => Math.Max(0, pressure) / (1 + Math.Max(0, pressure)),
    };

    /// <summary>The strategy a mix amounts to: below ⅓ latency_focused, above ⅔ throughput_focused, else balanced.</summary>
    public static string EffectiveName(double throughputWeight) =>
        throughputWeight < 1.0 / 3 ? "latency_focused" : throughputWeight > 2.0 / 3 ? "throughput_focused" : "balanced";
}
