namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// A snapshot of the quantum route planner: what it has done since start and how recent solves
/// went. Rolling figures cover the last <see cref="PlannerOptions.StatisticsWindow"/> solves.
/// </summary>
public sealed record PlannerStatus
{
    public required string Planner { get; init; }

    /// <summary>The configured optimization_strategy.</summary>
    public required string Strategy { get; init; }

    /// <summary>What the last decision's mix amounted to (adaptive moves between the other three).</summary>
    public required string EffectiveStrategy { get; init; }

    /// <summary>θ of the last decision: the weight of throughput in the cost.</summary>
    public double ThroughputWeight { get; init; }

    /// <summary>Queue pressure of the last batch: (pending + in flight) / capacity.</summary>
    public double QueuePressure { get; init; }

    public bool Superposition { get; init; }

    public bool Entanglement { get; init; }

    public bool Interference { get; init; }

    public bool DecoherenceMitigation { get; init; }

    /// <summary>Agents per solve (max_superpositions, rounded up to the SIMD width).</summary>
    public int Agents { get; init; }

    public double CoherenceThreshold { get; init; }

    /// <summary>Requests planned, by any path.</summary>
    public long Tasks { get; init; }

    /// <summary>Requests planned alone by the greedy cost model (nothing else was pending).</summary>
    public long FastPathTasks { get; init; }

    /// <summary>Batches of two or more requests planned together.</summary>
    public long Batches { get; init; }

    public int LargestBatch { get; init; }

    /// <summary>Batches that ran simulated bifurcation (superposition on).</summary>
    public long Solves { get; init; }

    /// <summary>Solves whose plan was strictly better than greedy and was returned.</summary>
    public long BifurcationWins { get; init; }

    /// <summary>Solves that found no better plan than greedy (greedy returned, equal objective).</summary>
    public long Ties { get; init; }

    /// <summary>Solves where greedy was better than anything SB found.</summary>
    public long GreedyWins { get; init; }

    /// <summary>Solves that overran the solve budget and were answered with the greedy plan.</summary>
    public long BudgetFallbacks { get; init; }

    /// <summary>Solves whose coherence stayed under coherence_threshold (after any continuation).</summary>
    public long DecoherentSolves { get; init; }

    /// <summary>Continuation rounds run by decoherence mitigation.</summary>
    public long Continuations { get; init; }

    /// <summary>Batches whose planning failed and were answered by the fast path instead.</summary>
    public long Errors { get; init; }

    public int RecentSolves { get; init; }

    /// <summary>Rolling mean coherence (quantum_coherence_utilization); NaN before the first solve.</summary>
    public double MeanCoherence { get; init; }

    /// <summary>Rolling mean of (greedy − returned)/|greedy| (interference_optimization_gain).</summary>
    public double MeanGain { get; init; }

    /// <summary>Rolling mean over coupled groups of the coupling weight honoured (entanglement_strength_avg).</summary>
    public double MeanEntanglementStrength { get; init; }

    /// <summary>Share of recent solves whose plan beat or matched greedy (quantum_optimization_efficiency).</summary>
    public double OptimizationEfficiency { get; init; }

    /// <summary>Coupled pairs in the last batch.</summary>
    public int LastEntangledPairs { get; init; }

    /// <summary>Per-request planning time (queue wait + plan), recent requests.</summary>
    public double PlanningP50Ms { get; init; }

    public double PlanningP95Ms { get; init; }

    public double PlanningP99Ms { get; init; }

    /// <summary>Requests planned per second over the throughput window.</summary>
    public double TasksPerSecond { get; init; }

    /// <summary>Requests being planned right now (superposition_tasks_active).</summary>
    public int ActiveTasks { get; init; }

    /// <summary>Requests queued or being planned.</summary>
    public int PendingTasks { get; init; }

    public int WarmStartPlans { get; init; }

    public int WarmStartCapacity { get; init; }

    public double BatchWindowMicroseconds { get; init; }

    public int MaxBatch { get; init; }

    public double SolveBudgetMs { get; init; }

    /// <summary>The GPU planner process, when the solver offloads to it (null otherwise).</summary>
    public PlannerProcessReport? PlannerProcess { get; init; }
}
