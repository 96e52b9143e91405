using BenchmarkDotNet.Attributes;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Benchmarks;

/// <summary>Planner (bSB + greedy, one core) against the annealing baseline on the same instances.</summary>
[MemoryDiagnoser]
public class AssignmentBenchmarks
{
    private AssignmentProblem _problem = null!;
    private readonly AssignmentPlanner _planner = new();

    [Params("64x8", "256x16", "1024x16")]
    public string Shape { get; set; } = "64x8";

    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split('x');
        _problem = PlanningInstances.Generate(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), 2026);
        var plan = Bifurcation();
        var (_, annealed) = Annealing();
        Console.WriteLine($"// {Shape}: SB {plan.Objective:F3} ({plan.Origin}, coherence {plan.Coherence:F2}, steps {plan.Steps}), greedy {plan.GreedyObjective:F3}, SA {annealed:F3}");
    }

    /// <summary>The SA baseline: 100 sweeps from the greedy plan.</summary>
    internal static readonly AnnealingSettings AnnealingSettings = new() { SweepsPerRun = 100, Seed = 1, TimeLimit = TimeSpan.FromSeconds(10) };

    /// <summary>The planner as benchmarked: one core, one round, no time pressure.</summary>
    internal static readonly PlannerSettings PlannerSettings = new()
    {
        Agents = 16,
        StepsPerRound = 50,
        PolishedAgents = 4,
        Parallelism = 1,
        TimeBudget = TimeSpan.FromSeconds(10),
        MaxContinuations = 0,
        CoherenceThreshold = 0,
    };

    [Benchmark(Baseline = true)]
    public (int[] Plan, double Objective) Annealing() => AssignmentAnnealer.Anneal(_problem, AnnealingSettings);

    [Benchmark]
    public AssignmentPlan Bifurcation() => _planner.Plan(_problem, PlannerSettings);
}
