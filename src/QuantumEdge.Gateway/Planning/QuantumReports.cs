namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// <c>GET /quantum/status</c>: is the planner working, what is it set to, how much has it planned.
/// <see cref="Status"/> is "ok", or "decoherent" when the rolling mean coherence is under the threshold
/// (plans are still served; see <c>/quantum/coherence</c>). <see cref="BatchPlanning"/> is the batch
/// scheduler's section, null on a node that runs none.
/// </summary>
public sealed record QuantumStatusReport(
    string Status,
    string Planner,
    string Strategy,
    string EffectiveStrategy,
    bool SuperpositionEnabled,
    bool EntanglementEnabled,
    bool InterferenceEnabled,
    long TasksPlanned,
    long FastPathTasks,
    long Batches,
    int LargestBatch,
    int ActiveTasks,
    int PendingTasks,
    double TasksPerSecond,
    double? CoherenceUtilization,
    double? OptimizationEfficiency,
    PlannerProcessReport? PlannerProcess,
    Batch.Scheduling.BatchPlanningReport? BatchPlanning = null);

/// <summary>
/// The GPU planner process as the node sees it (null when <c>resources.gpu_limit</c> is 0): whether a
/// connection is open now and its last exchange succeeded (<see cref="Connected"/>), the device
/// from the last handshake (null until one succeeded, kept after the planner goes away) with the kernels it loaded, solves per device, fallbacks and their last
/// reason, the breaker, IPC overhead and the last solve.
/// </summary>
public sealed record PlannerProcessReport(
    string SocketPath,
    int MinVariables,
    bool Connected,
    bool BreakerOpen,
    string? DeviceKind,
    string? DeviceName,
    long? DeviceMemoryBytes,
    IReadOnlyList<string>? KernelsLoaded,
    long GpuSolves,
    long CpuSolves,
    long Fallbacks,
    long Bypassed,
    string? LastFallbackReason,
    double MeanIpcMs,
    string LastSolveDevice,
    DateTimeOffset? LastSolveAt,
    double LastSolveMs);

/// <summary>
/// <c>GET /quantum/coherence</c>: how converged recent solves were. Coherence is the share of the
/// agents whose final plan scores within 1% of the best agent's.
/// </summary>
public sealed record QuantumCoherenceReport(
    double? Coherence,
    double Threshold,
    bool Coherent,
    int RecentSolves,
    long Solves,
    long DecoherentSolves,
    long Continuations,
    bool DecoherenceMitigation,
    int Agents,
    int WarmStartPlans,
    int WarmStartCapacity,
    string Definition);

/// <summary><c>GET /quantum/optimization/status</c>: what joint planning buys over greedy, and what it costs.</summary>
public sealed record QuantumOptimizationReport(
    string Strategy,
    string EffectiveStrategy,
    double ThroughputWeight,
    double QueuePressure,
    long Solves,
    long BifurcationWins,
    long Ties,
    long GreedyWins,
    long BudgetFallbacks,
    long Errors,
    double? InterferenceOptimizationGain,
    double? OptimizationEfficiency,
    double? EntanglementStrengthAvg,
    int LastEntangledPairs,
    PlanningTimeReport PlanningTimeMs,
    double BatchWindowUs,
    int MaxBatch,
    double SolveBudgetMs);

/// <summary>Per-request planning time percentiles in milliseconds over recent requests.</summary>
public sealed record PlanningTimeReport(double? P50, double? P95, double? P99);
