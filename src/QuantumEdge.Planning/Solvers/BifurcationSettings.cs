namespace QuantumEdge.Planning.Solvers;

/// <summary>Knobs of a simulated-bifurcation solve. Defaults follow the stability notes in docs/architecture.md.</summary>
public sealed record BifurcationSettings
{
    public BifurcationVariant Variant { get; init; } = BifurcationVariant.Discrete;

    /// <summary>Agents (replicas) evolved at once; the deployment guide's `max_superpositions`.</summary>
    public int Agents { get; init; } = 100;

    /// <summary>Steps of one bifurcation round (a(t) ramps 0 → a0 over them); rounds repeat while time remains.</summary>
    public int StepsPerRound { get; init; } = 1000;

    /// <summary>
    /// When set, rounds are lengthened so that about this many fit <see cref="TimeLimit"/>, from the
    /// step cost measured at the start of the solve (never shorter than <see cref="StepsPerRound"/>).
    /// Long anneals are what sparse ±1 instances need, and how many steps fit a second differs
    /// 10× between a toroidal grid and a dense Gset graph. With <see cref="Recombination"/>, a
    /// sparse model (mean degree at most 8) gets four times as many, shorter rounds: more states
    /// for the recombination, which is what gains there (measured on the toroidal grids; the dense
    /// Gset graphs lose by it). Null: every round has
    /// <see cref="StepsPerRound"/> steps, so a fixed <see cref="MaxRounds"/> and seed reproduce a result.
    /// </summary>
    public int? RoundsInBudget { get; init; }

    /// <summary>Budget of the whole solve, on <see cref="Clock"/>.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The clock that <see cref="TimeLimit"/>, the round sizing and the reported times use: the
    /// wall clock unless a caller measures on another (the quality benchmark uses process CPU time,
    /// so that a busy machine does not shrink the search it measures).
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Upper bound on rounds per agent block; with a fixed count and seed the result is reproducible.</summary>
    public int MaxRounds { get; init; } = int.MaxValue;

    /// <summary>Cores used: agents are split into this many blocks run concurrently (1 = one core).</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    public int Seed { get; init; } = 1;

    /// <summary>Fraction of the stability bound used as Δt.</summary>
    public double TimeStepFactor { get; init; } = 0.7;

    /// <summary>Polish every agent's final state with single-flip descent.</summary>
    public bool LocalSearch { get; init; } = true;

    /// <summary>
    /// At the end of every round, recombine the agents' polished states cluster by cluster into
    /// the block's best (<see cref="Ising.ClusterRecombination"/>): what sparse ±1 instances need,
    /// whose good states differ in separate domains.
    /// </summary>
    public bool Recombination { get; init; } = true;

    /// <summary>
    /// Tabu-search moves spent at the end of every round on the round's best agent (after descent):
    /// the polish that sparse ±1 instances need to leave the plateaus SB settles on. 0 = none.
    /// </summary>
    public int TabuMoves { get; init; }

    /// <summary>
    /// With <see cref="RoundsInBudget"/> and a tabu polish: the share of each round's time given to
    /// the polish (the ramp gets the rest, and the polish stops at the round's end even if it has
    /// moves left).
    /// </summary>
    public double PolishShare { get; init; } = 0.3;

    /// <summary>Stop as soon as the objective reaches this value (in the problem's own sense).</summary>
    public double? TargetObjective { get; init; }

    /// <summary>Steps between evaluations of the agents' sign states.</summary>
    public int SampleInterval { get; init; } = 5;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Clock);
        if (Agents < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Agents), Agents, "at least one agent is needed");
        }

        if (StepsPerRound < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(StepsPerRound), StepsPerRound, "at least two steps per round");
        }

        if (Parallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Parallelism), Parallelism, "parallelism must be at least 1");
        }

        if (MaxRounds < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRounds), MaxRounds, "at least one round");
        }

        if (TimeLimit <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TimeLimit), TimeLimit, "the time limit must be positive");
        }

        if (TimeStepFactor is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TimeStepFactor), TimeStepFactor, "must be in (0, 1)");
        }

        if (RoundsInBudget is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RoundsInBudget), RoundsInBudget, "at least one round");
        }

        if (TabuMoves < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TabuMoves), TabuMoves, "must not be negative");
        }

        if (PolishShare is < 0 or >= 1 || double.IsNaN(PolishShare))
        {
            throw new ArgumentOutOfRangeException(nameof(PolishShare), PolishShare, "must be in [0, 1)");
        }

        if (SampleInterval < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SampleInterval), SampleInterval, "must be at least 1");
        }
    }
}
