namespace QuantumEdge.Planning.Solvers;

/// <summary>Knobs of the simulated-annealing baseline.</summary>
internal sealed record AnnealingSettings
{
    /// <summary>Full sweeps (n proposed flips each) per anneal; anneals restart while time remains.</summary>
    public int SweepsPerRun { get; init; } = 1000;

    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(1);

    public int MaxRuns { get; init; } = int.MaxValue;

    /// <summary>Start temperature as a multiple of the mean |local field| of a random state.</summary>
    public double InitialTemperatureScale { get; init; } = 2.0;

    /// <summary>End temperature as a fraction of the start temperature (geometric schedule).</summary>
    public double FinalTemperatureRatio { get; init; } = 0.001;

    public int Seed { get; init; } = 1;

    public double? TargetObjective { get; init; }
}
