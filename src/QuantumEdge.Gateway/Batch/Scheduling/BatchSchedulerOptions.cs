namespace QuantumEdge.Gateway.Batch.Scheduling;

/// <summary>How batch lines share the backends with interactive traffic, and how large and long one placement solve may be.</summary>
public sealed record BatchSchedulerOptions
{
    /// <summary>
    /// Share of each backend's max_concurrency kept free for interactive requests (rounded up to
    /// whole slots): batch lines only fill what interactive traffic and this reserve leave.
    /// </summary>
    public double InteractiveReserve { get; init; } = 0.5;

    /// <summary>Most lines placed by one solve (one call of <see cref="BatchScheduler.NextDispatches"/>).</summary>
    public int MaxLinesPerSolve { get; init; } = 1024;

    /// <summary>Wall-clock budget of one placement solve.</summary>
    public TimeSpan SolveBudget { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Agents of one placement solve (the planner's max_superpositions).</summary>
    public int Agents { get; init; } = 32;

    /// <summary>
    /// A line dispatched less than this long ago may not hold its backend slot yet, so it is counted
    /// on top of the backend's occupied slots; after it, it is assumed to be among them.
    /// </summary>
    public TimeSpan StartGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A dispatched line neither reported completed nor passed as pending again within this time is
    /// taken as lost by the executor, and its slot is released (longer than any backend timeout).
    /// </summary>
    public TimeSpan OutstandingLifetime { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a backend counts as holding a prefix in its KV cache after a line with it was sent there.</summary>
    public TimeSpan PrefixLifetime { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Deadlines closer than this are one class: within it, lines are ordered by prefix so that groups go out together.</summary>
    public TimeSpan DeadlineBucket { get; init; } = TimeSpan.FromMinutes(1);

    internal void Validate()
    {
        if (InteractiveReserve is < 0 or >= 1 || double.IsNaN(InteractiveReserve))
        {
            throw new ArgumentOutOfRangeException(nameof(InteractiveReserve), InteractiveReserve, "must be in [0, 1)");
        }

        if (MaxLinesPerSolve < 1 || Agents < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxLinesPerSolve), "MaxLinesPerSolve and Agents must be at least 1");
        }

        if (SolveBudget <= TimeSpan.Zero || OutstandingLifetime <= TimeSpan.Zero || StartGrace < TimeSpan.Zero || PrefixLifetime < TimeSpan.Zero || DeadlineBucket <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SolveBudget), "SolveBudget, OutstandingLifetime and DeadlineBucket must be positive; StartGrace and PrefixLifetime not negative");
        }
    }
}
