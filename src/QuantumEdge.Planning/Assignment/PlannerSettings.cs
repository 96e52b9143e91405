namespace QuantumEdge.Planning.Assignment;

/// <summary>Knobs of one planning call; names follow the deployment guide's `quantum_planning` block.</summary>
public sealed record PlannerSettings
{
    /// <summary>`max_superpositions`: agents per solve (rounded up to a multiple of the SIMD width).</summary>
    public int Agents { get; init; } = 100;

    /// <summary>
    /// Steps of the first bifurcation round; each continuation doubles it. A round whose steps would
    /// not fit the time left is shortened after its first few steps, never below a dozen.
    /// </summary>
    public int StepsPerRound { get; init; } = 60;

    /// <summary>
    /// Agents whose argmax plans are repaired and polished with 1-opt each round: the best by their
    /// decoded objective. Ranking every agent is cheap; polishing every agent is not.
    /// </summary>
    public int PolishedAgents { get; init; } = 4;

    /// <summary>
    /// Whether a solve still decoherent after its continuations returns the greedy plan even when
    /// its own plan is better. Off by default: decoherence is counted either way, and the better
    /// plan is returned; on, it follows the strict reading of decoherence mitigation.
    /// </summary>
    public bool FallBackWhenDecoherent { get; init; }

    /// <summary>Wall-clock budget of the whole call, greedy and decoding included.</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// `coherence_threshold`: coherence is the share of agents whose argmax plan scores within 1% of
    /// the best agent's (true objective plus a capacity-overflow penalty). Below the threshold a solve
    /// is continued; if it stays below, it is counted as decoherent (see <see cref="FallBackWhenDecoherent"/>).
    /// </summary>
    public double CoherenceThreshold { get; init; } = 0.8;

    /// <summary>Most continuation rounds a decoherent solve gets.</summary>
    public int MaxContinuations { get; init; } = 2;

    /// <summary>A = this × the largest single-flip gain (2–4 works; larger flattens the landscape).</summary>
    public double PenaltyMultiplier { get; init; } = 3.0;

    /// <summary>Cores used for the agents (1 = the calling thread only).</summary>
    public int Parallelism { get; init; } = 1;

    public int Seed { get; init; } = 1;

    public double TimeStepFactor { get; init; } = 0.7;

    internal void Validate()
    {
        if (Agents < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Agents), Agents, "at least one agent");
        }

        if (StepsPerRound < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(StepsPerRound), StepsPerRound, "at least two steps");
        }

        if (TimeBudget <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TimeBudget), TimeBudget, "must be positive");
        }

        if (CoherenceThreshold is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(CoherenceThreshold), CoherenceThreshold, "must be in [0, 1]");
        }

        if (PenaltyMultiplier <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PenaltyMultiplier), PenaltyMultiplier, "must exceed 1 or one-hot can pay to break");
        }

        if (PolishedAgents < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PolishedAgents), PolishedAgents, "at least one agent is polished");
        }

        if (Parallelism < 1 || MaxContinuations < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Parallelism), "Parallelism must be ≥ 1 and MaxContinuations ≥ 0");
        }
    }
}
