using System.Diagnostics;
using System.Globalization;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Benchmarks;

/// <summary>
/// `--assignment`: objectives and times of greedy, SA and SB on the benchmark shapes (no BDN).
/// `--assignment --tune`: SB over a grid of agents × steps, with per-call p50/p99 over repeated
/// warm calls and the mean objective over several instances, to pick the shipped defaults.
/// </summary>
internal static class QualityRun
{
    public static int Run(bool tune)
    {
        return tune ? Tune() : Compare();
    }

    private static int Compare()
    {
        Console.WriteLine($"{"shape",-9}{"greedy",12}{"SA",12}{"SA ms",8}{"SB best",12}{"SB ms",8}{"origin",14}{"coh",6}{"gain %",8}");
        foreach (var (tasks, backends) in new[] { (64, 8), (256, 16), (1024, 16) })
        {
            var problem = PlanningInstances.Generate(tasks, backends, 2026);
            var clock = Stopwatch.StartNew();
            var (_, annealed) = AssignmentAnnealer.Anneal(problem, AssignmentBenchmarks.AnnealingSettings);
            var annealMs = clock.Elapsed.TotalMilliseconds;
            var planner = new AssignmentPlanner();
            planner.Plan(problem, AssignmentBenchmarks.PlannerSettings);
            var plan = planner.Plan(problem, AssignmentBenchmarks.PlannerSettings);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{tasks}x{backends,-6}{plan.GreedyObjective,12:F3}{annealed,12:F3}{annealMs,8:F1}{plan.BifurcationObjective,12:F3}{plan.ElapsedMs,8:F2}{plan.Origin,14}{plan.Coherence,6:F2}{plan.Gain * 100,8:F2}"));
        }

        return 0;
    }

    private static int Tune()
    {
        const int Instances = 8;
        foreach (var (tasks, backends) in new[] { (64, 8), (256, 16) })
        {
            var problems = Enumerable.Range(0, Instances).Select(i => PlanningInstances.Generate(tasks, backends, 2026 + i)).ToArray();
            var sa = problems.Select(p => AssignmentAnnealer.Anneal(p, AssignmentBenchmarks.AnnealingSettings).Objective).ToArray();
            var greedy = problems.Select(p => p.Objective(GreedyAssigner.Assign(p))).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tasks}x{backends}: mean greedy {greedy.Average():F3}, mean SA {sa.Average():F3}"));
            Console.WriteLine($"{"agents",7}{"steps",7}{"polish",7}{"mean obj",11}{"≤SA",5}{"p50 ms",8}{"p99 ms",8}{"coh",6}");
            foreach (var agents in new[] { 8, 16, 32 })
            {
                foreach (var steps in new[] { 25, 50, 100 })
                {
                    foreach (var polish in new[] { 2, 4 })
                    {
                        var settings = AssignmentBenchmarks.PlannerSettings with { Agents = agents, StepsPerRound = steps, PolishedAgents = polish };
                        var planner = new AssignmentPlanner();
                        var objectives = new double[Instances];
                        var coherence = 0.0;
                        var times = new List<double>();
                        for (var i = 0; i < Instances; i++)
                        {
                            for (var r = 0; r < 40; r++)
                            {
                                var start = Stopwatch.GetTimestamp();
                                var plan = planner.Plan(problems[i], settings with { Seed = r + 1 });
                                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                                if (r == 0)
                                {
                                    objectives[i] = plan.Objective;
                                    coherence += plan.Coherence / Instances;
                                }
                            }
                        }

                        times.Sort();
                        var atMostSa = objectives.Zip(sa).Count(z => z.First <= z.Second + 1e-9);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{agents,7}{steps,7}{polish,7}{objectives.Average(),11:F3}{atMostSa,5}{times[times.Count / 2],8:F3}{times[(int)(times.Count * 0.99)],8:F3}{coherence,6:F2}"));
                    }
                }
            }
        }

        return 0;
    }
}
