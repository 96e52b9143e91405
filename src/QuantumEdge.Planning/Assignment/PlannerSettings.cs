namespace QuantumEdge.Planning.Assignment;

/// <summary>Knobs of one planning call; names follow the seed's `quantum_planning` block.</summary>
public sealed record PlannerSettings
{
    /// <summary>`max_superpositions`: agents per solve.</summary>
    public int Agents { get; init; } = 100;

    /// <summary>Steps of the first bifurcation round; each continuation doubles it.</summary>
    public int StepsPerRound { get; init; } = 150;

    /// <summary>Wall-clock budget of the whole call, greedy and decoding included.</summary>
    public TimeSpan TimeBudget { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>`coherence_threshold`: below it a solve is continued, then abandoned for the greedy plan.</summary>
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

        if (Parallelism < 1 || MaxContinuations < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Parallelism), "Parallelism must be ≥ 1 and MaxContinuations ≥ 0");
        }
    }
}
