namespace QuantumEdge.Gateway.Configuration;

/// <summary>The deployment guide's <c>quantum_planning</c> block (meanings in docs/architecture.md).</summary>
public sealed record QuantumPlanningSettings
{
    public bool EnableSuperposition { get; init; } = true;
    public bool EnableEntanglement { get; init; } = true;
    public bool EnableInterference { get; init; } = true;
    public double CoherenceThreshold { get; init; } = 0.8;
    public int MaxEntangledTasks { get; init; } = 5;
    public string OptimizationStrategy { get; init; } = "adaptive";
    public bool DecoherenceMitigation { get; init; } = true;
    public double BellInequalityThreshold { get; init; } = 2.0;
    public double InterferenceResolution { get; init; } = 0.1;
    /// <summary>
    /// How requests are routed: <c>quantum</c> (micro-batched, planned jointly by simulated
    /// bifurcation, greedy fast path for a lone request) or <c>least_loaded</c> (the greedy baseline).
    /// </summary>
    public string Router { get; init; } = "quantum";
    /// <summary>Requests arriving within this window are planned together (micro-batch).</summary>
    public int BatchWindowMicroseconds { get; init; } = 200;
    public int MaxBatchSize { get; init; } = 64;
    /// <summary>A solve that cannot finish within this budget is answered with the greedy plan.</summary>
    public double SolveBudgetMs { get; init; } = 2;
    /// <summary>
    /// When true, a solve that is still decoherent after mitigation always falls back to the greedy
    /// plan (the glossary's strict reading). When false (default), it falls back only when its plan
    /// does not beat greedy; either way the solve is counted as decoherent.
    /// </summary>
    public bool StrictDecoherenceFallback { get; init; }
    /// <summary>The GPU planner process: its socket and the smallest problem sent to it.</summary>
    public GpuPlannerSettings Gpu { get; init; } = new();

    internal static readonly string[] Strategies = ["latency_focused", "throughput_focused", "balanced", "adaptive"];

    internal static QuantumPlanningSettings Read(YamlSection s)
    {
        var d = new QuantumPlanningSettings();
        var result = new QuantumPlanningSettings
        {
            EnableSuperposition = s.Bool("enable_superposition", d.EnableSuperposition),
            EnableEntanglement = s.Bool("enable_entanglement", d.EnableEntanglement),
            EnableInterference = s.Bool("enable_interference", d.EnableInterference),
            CoherenceThreshold = s.Double("coherence_threshold", d.CoherenceThreshold, 0, 1),
            MaxEntangledTasks = s.Int("max_entangled_tasks", d.MaxEntangledTasks, 1, 1000),
            OptimizationStrategy = s.Choice("optimization_strategy", d.OptimizationStrategy, Strategies),
            DecoherenceMitigation = s.Bool("decoherence_mitigation", d.DecoherenceMitigation),
            BellInequalityThreshold = s.Double("bell_inequality_threshold", d.BellInequalityThreshold, 0, 4),
            InterferenceResolution = s.Double("interference_resolution", d.InterferenceResolution, 0.001, 1),
            Router = s.Choice("router", d.Router, "quantum", "least_loaded"),
            BatchWindowMicroseconds = s.Int("batch_window_us", d.BatchWindowMicroseconds, 0, 1_000_000),
            MaxBatchSize = s.Int("max_batch_size", d.MaxBatchSize, 1, 4096),
            SolveBudgetMs = s.Double("solve_budget_ms", d.SolveBudgetMs, 0.05, 10_000),
            StrictDecoherenceFallback = s.Bool("strict_decoherence_fallback", d.StrictDecoherenceFallback),
            Gpu = GpuPlannerSettings.Read(s.Section("gpu")),
        };
        s.RejectUnknownKeys();
        return result;
    }
}
