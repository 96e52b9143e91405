using System.Globalization;
using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Benchmarks;

/// <summary>
/// Not a BenchmarkDotNet run: dSB on every Gset instance with a 1 s budget on one core, printing
/// the cut, its share of the best known and the time at which 99.7% was first reached.
/// </summary>
internal static class GsetRun
{
    public const double TargetShare = 0.997;

    /// <param name="cpuSeconds">
    /// When positive, the time limit is <paramref name="cpuSeconds"/> of process CPU time instead
    /// of wall time (<see cref="ProcessCpuClock"/>): the solver sizes its rounds, ramps and polish
    /// on that clock, so on a shared box each instance gets the search an idle core would give it
    /// in that time, and the "cpu ms" column says what it really cost.
    /// </param>
    public static int Run(string directory, BifurcationSettings settings, int annealingSweeps = 0, double cpuSeconds = 0)
    {
        var bestKnownPath = Path.Combine(directory, "best-known.csv");
        if (!File.Exists(bestKnownPath))
        {
            Console.Error.WriteLine($"no best-known.csv in {directory}");
            return 2;
        }

        var rows = File.ReadAllLines(bestKnownPath).Skip(1).Where(l => l.Trim().Length > 0).Select(l => l.Split(','));
        Console.WriteLine($"dSB, agents {settings.Agents}, steps/round {(settings.RoundsInBudget is { } r ? $"auto ({r} rounds in the budget, at least {settings.StepsPerRound})" : settings.StepsPerRound)}, tabu moves/round {settings.TabuMoves}, budget {settings.TimeLimit.TotalMilliseconds} ms, parallelism {settings.Parallelism}");
        Console.WriteLine($"{"instance",-9}{"n",6}{"best known",12}{"cut",9}{"% best",9}{"ms to 99.7%",13}{"ms to best",12}{"rounds",8}{"steps",9}{"coh",6}{"cpu ms",8}");
        var shares = new List<double>();
        foreach (var row in rows)
        {
            var name = row[0];
            var bestKnown = double.Parse(row[2], CultureInfo.InvariantCulture);
            var instance = GsetParser.ParseFile(Path.Combine(directory, name + ".txt"));
            var model = instance.ToIsing();
            // `--sa SWEEPS`: the annealing baseline on the same budget, for comparison and for best-known runs.
            var solveSettings = cpuSeconds > 0 ? settings with { Clock = ProcessCpuClock.Instance, TimeLimit = TimeSpan.FromSeconds(cpuSeconds) } : settings;
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var result = annealingSweeps > 0
                ? SimulatedAnnealingSolver.Solve(model, new AnnealingSettings { SweepsPerRun = annealingSweeps, TimeLimit = settings.TimeLimit, MaxRuns = settings.MaxRounds, Seed = settings.Seed })
                : SimulatedBifurcationSolver.Solve(model, solveSettings);
            var cpuMs = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds;
            var cut = instance.CutValue(result.BestSpins);
            var share = cut / bestKnown;
            shares.Add(share);
            var reached = result.Improvements.FirstOrDefault(i => i.Objective >= TargetShare * bestKnown);
            var toTarget = reached.Objective >= TargetShare * bestKnown ? reached.ElapsedMs.ToString("F0", CultureInfo.InvariantCulture) : "never";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-9}{instance.NodeCount,6}{bestKnown,12}{cut,9}{share * 100,9:F2}{toTarget,13}{result.TimeToBestMs,12:F0}{result.Rounds,8}{result.Steps,9}{result.Coherence,6:F2}{cpuMs,8:F0}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mean {shares.Average() * 100:F3}% of best known; min {shares.Min() * 100:F3}%; {shares.Count(s => s >= TargetShare)}/{shares.Count} at ≥ 99.7%"));
        return 0;
    }
}
