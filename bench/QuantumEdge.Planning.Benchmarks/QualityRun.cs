using System.Diagnostics;
using System.Globalization;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Benchmarks;

/// <summary>`--assignment`: objectives and times of greedy, SA and SB on the benchmark shapes (no BDN).</summary>
internal static class QualityRun
{
    public static int Run()
    {
        Console.WriteLine($"{"shape",-9}{"greedy",12}{"SA",12}{"SA ms",8}{"SB best",12}{"SB ms",8}{"origin",14}{"coh",6}{"gain %",8}");
        foreach (var (tasks, backends) in new[] { (64, 8), (256, 16), (1024, 16) })
        {
            var problem = PlanningInstances.Generate(tasks, backends, 2026);
            var clock = Stopwatch.StartNew();
            var (_, annealed) = AssignmentAnnealer.Anneal(problem, new AnnealingSettings { SweepsPerRun = 100, Seed = 1, TimeLimit = TimeSpan.FromSeconds(10) });
            var annealMs = clock.Elapsed.TotalMilliseconds;
            var plan = new AssignmentPlanner().Plan(problem, new PlannerSettings { Agents = 32, StepsPerRound = 100, Parallelism = 1, TimeBudget = TimeSpan.FromSeconds(10), MaxContinuations = 0, CoherenceThreshold = 0 });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{tasks}x{backends,-6}{plan.GreedyObjective,12:F3}{annealed,12:F3}{annealMs,8:F1}{plan.BifurcationObjective,12:F3}{plan.ElapsedMs,8:F1}{plan.Origin,14}{plan.Coherence,6:F2}{plan.Gain * 100,8:F2}"));
        }

        return 0;
    }
}
