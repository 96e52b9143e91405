using System.Globalization;
using BenchmarkDotNet.Running;
using QuantumEdge.Planning.Benchmarks;
using QuantumEdge.Planning.Solvers;

// `--gset DIR [--agents A] [--steps auto|S] [--rounds-in-budget R] [--ms T] [--seed S] [--rounds N]
// [--tabu MOVES] [--polish-share P] [--recombine on|off] [--dt-factor F] [--cpu-seconds C] [--sa SWEEPS]`: the Gset quality run
// (C: a budget of C seconds of process CPU time per instance instead of wall time; SWEEPS: the annealing baseline);
// `--toroidal-generate DIR`: writes the toroidal instances; `--assignment`: plan quality;
// anything else goes to BenchmarkDotNet.
var gset = Array.IndexOf(args, "--gset");
if (gset >= 0 && gset + 1 < args.Length)
{
    string? Option(string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    var settings = new BifurcationSettings
    {
        Variant = BifurcationVariant.Discrete,
        Parallelism = 1,
        Agents = int.Parse(Option("--agents") ?? "32", CultureInfo.InvariantCulture),
        // `--steps auto` (the default, as in `plan solve`): rounds sized so that two fit the budget.
        StepsPerRound = Option("--steps") is { } fixedSteps and not "auto" ? int.Parse(fixedSteps, CultureInfo.InvariantCulture) : 1000,
        RoundsInBudget = Option("--steps") is null or "auto" ? int.Parse(Option("--rounds-in-budget") ?? "2", CultureInfo.InvariantCulture) : null,
        TimeLimit = TimeSpan.FromMilliseconds(double.Parse(Option("--ms") ?? "1000", CultureInfo.InvariantCulture)),
        Seed = int.Parse(Option("--seed") ?? "1", CultureInfo.InvariantCulture),
        TabuMoves = Option("--tabu") is { } tabu ? int.Parse(tabu, CultureInfo.InvariantCulture) : new BifurcationSettings().TabuMoves,
        Recombination = Option("--recombine") is not "off",
        PolishShare = Option("--polish-share") is { } share ? double.Parse(share, CultureInfo.InvariantCulture) : new BifurcationSettings().PolishShare,
        TimeStepFactor = double.Parse(Option("--dt-factor") ?? "0.7", CultureInfo.InvariantCulture),
        MaxRounds = int.Parse(Option("--rounds") ?? int.MaxValue.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
    };
    return GsetRun.Run(
        args[gset + 1],
        settings,
        int.Parse(Option("--sa") ?? "0", CultureInfo.InvariantCulture),
        double.Parse(Option("--cpu-seconds") ?? "0", CultureInfo.InvariantCulture));
}

string? Argument(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

if (Argument("--toroidal-generate") is { } generateInto)
{
    return ToroidalRun.Generate(generateInto);
}

if (args.Contains("--assignment"))
{
    return QualityRun.Run(args.Contains("--tune"));
}

BenchmarkSwitcher.FromAssembly(typeof(GsetRun).Assembly).Run(args);
return 0;
