namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// How the gateway feeds the planner: the micro-batching window, the solve budget and the
/// bookkeeping sizes. The deployment guide's <c>quantum_planning</c> and <c>resources</c> blocks say what is
/// planned; these say how often and how long.
/// </summary>
public sealed record PlannerOptions
{
    /// <summary>Requests that arrive within this window of the first queued one are planned together.</summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMicroseconds(200);

    /// <summary>A batch closes early when it holds this many requests.</summary>
    public int MaxBatch { get; init; } = 64;

    /// <summary>
    /// Wall-clock budget of one simulated-bifurcation solve (greedy, anneal and polish together).
    /// A solve that overruns it is answered with the greedy plan, so a request waits at most
    /// about <see cref="BatchWindow"/> + this.
    /// </summary>
    public TimeSpan SolveBudget { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>A lone request (nothing queued or being planned) is answered at once by the greedy cost model.</summary>
    public bool FastPath { get; init; } = true;

    /// <summary>Steps of one bifurcation round; shortened automatically when they would not fit the budget.</summary>
    public int StepsPerRound { get; init; } = 50;

    /// <summary>Entries of the prefix/session → backend affinity map (rounded up to a power of two).</summary>
    public int AffinityCapacity { get; init; } = 4096;

    /// <summary>How long a backend counts as holding a prefix or session in its KV cache after serving it.</summary>
    public TimeSpan AffinityLifetime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Solves (and groups, and per-task planning times ×4) kept for the rolling means and percentiles.</summary>
    public int StatisticsWindow { get; init; } = 256;

    /// <summary>Window of <c>throughput_tasks_per_second</c>.</summary>
    public TimeSpan ThroughputWindow { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        if (BatchWindow < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchWindow), BatchWindow, "must not be negative");
        }

        if (MaxBatch < 1 || StepsPerRound < 2 || AffinityCapacity < 1 || StatisticsWindow < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatch), "MaxBatch, AffinityCapacity and StatisticsWindow must be ≥ 1 and StepsPerRound ≥ 2");
        }

        if (SolveBudget <= TimeSpan.Zero || ThroughputWindow <= TimeSpan.Zero || AffinityLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SolveBudget), "SolveBudget, ThroughputWindow and AffinityLifetime must be positive");
        }
    }
}
