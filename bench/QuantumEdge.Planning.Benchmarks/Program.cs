using System.Globalization;
using BenchmarkDotNet.Running;
using QuantumEdge.Planning.Benchmarks;
using QuantumEdge.Planning.Solvers;

// `--gset DIR [--agents A] [--steps S] [--ms T]`: the Gset quality run; `--assignment`: plan quality;
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
        StepsPerRound = int.Parse(Option("--steps") ?? "1000", CultureInfo.InvariantCulture),
        TimeLimit = TimeSpan.FromMilliseconds(double.Parse(Option("--ms") ?? "1000", CultureInfo.InvariantCulture)),
        Seed = int.Parse(Option("--seed") ?? "1", CultureInfo.InvariantCulture),
    };
    return GsetRun.Run(args[gset + 1], settings);
}

if (args.Contains("--assignment"))
{
    return QualityRun.Run(args.Contains("--tune"));
}

BenchmarkSwitcher.FromAssembly(typeof(GsetRun).Assembly).Run(args);
return 0;
