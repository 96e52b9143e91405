using System.Globalization;
using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Planning.Gpu.Solvers;
using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;
using static QuantumEdge.Planning.Gpu.Benchmarks.Invariant;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// Gset G1–G10 and G43–G47 (tests/data/gset) at a 100 ms budget, device against CPU: dSB with the
/// settings <c>plan solve</c> uses (two rounds fitted to the budget, local-search polish), the CPU
/// on one core with 32 agents, the device with as many agents as suit it (256 on a GPU, 32 on the
/// CPU accelerator, 8 there with --quick). The cut is recomputed from the returned spins.
/// </summary>
internal static class GsetPart
{
    public static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(100);

    public static BenchSection Run(BenchContext context)
    {
        var directory = context.Options.GsetDirectory;
        var bestKnownPath = Path.Combine(directory, "best-known.csv");
        if (!File.Exists(bestKnownPath))
        {
            return new BenchSection("Gset at 100 ms", $"no best-known.csv in '{directory}' (pass --gset DIR: tests/data/gset, or the gset folder beside the tool)", Passed: false);
        }

        var rows = File.ReadAllLines(bestKnownPath).Skip(1).Where(l => l.Trim().Length > 0).Select(l => l.Split(',')).ToList();
        if (context.Quick)
        {
            rows = [.. rows.Where(r => r[0] is "G1")];
        }

        var cpuSettings = new BifurcationSettings
        {
            Variant = BifurcationVariant.Discrete,
            Parallelism = 1,
            Agents = 32,
            StepsPerRound = 1000,
            RoundsInBudget = 2,
            TimeLimit = Budget,
            Seed = 1,
        };
        // On the CPU accelerator a step of G1 with 32 agents is many times a GPU's (simulated lanes), so
        // --quick gives it 8 agents to stay near a minute; its cut then says nothing about a GPU's.
        var deviceSettings = cpuSettings with { Agents = context.IsGpu ? 256 : context.Quick ? 8 : 32 };
        var solver = new DeviceIsingSolver(context.Accelerator);
        // Compiles and loads the kernels before anything is timed.
        solver.Solve(BenchInstances.MaxCut(1, 12, 0.5).Model, deviceSettings with { RoundsInBudget = null, StepsPerRound = 20, MaxRounds = 1 });

        var table = new TextTable("instance", "n", "best known", "cpu cut", "cpu %", "cpu ms", "device cut", "device %", "device ms");
        var cpuShares = new List<double>();
        var deviceShares = new List<double>();
        var notes = new List<string>();
        foreach (var row in rows)
        {
            if (context.OutOfTime)
            {
                notes.Add(context.OutOfTimeNote);
                break;
            }

            var name = row[0];
            var bestKnown = double.Parse(row[2], CultureInfo.InvariantCulture);
            var instance = GsetParser.ParseFile(Path.Combine(directory, name + ".txt"));
            var model = instance.ToIsing();
            var cpu = SimulatedBifurcationSolver.Solve(model, cpuSettings);
            var device = solver.Solve(model, deviceSettings);
            var cpuCut = instance.CutValue(cpu.BestSpins);
            var deviceCut = instance.CutValue(device.BestSpins);
            cpuShares.Add(cpuCut / bestKnown);
            deviceShares.Add(deviceCut / bestKnown);
            table.Add(name, Format(instance.NodeCount), Format(bestKnown, "F0"), Format(cpuCut, "F0"), Format(100 * cpuCut / bestKnown, "F2"), Format(cpu.ElapsedMs, "F0"),
                Format(deviceCut, "F0"), Format(100 * deviceCut / bestKnown, "F2"), Format(device.ElapsedMs, "F0"));
            context.Log($"gset {name}: cpu {cpuCut} ({Format(cpu.ElapsedMs, "F0")} ms), device {deviceCut} ({Format(device.ElapsedMs, "F0")} ms)");
        }

        var summary = cpuShares.Count == 0
            ? "no instance ran"
            : $"mean share of best known: cpu {Format(100 * cpuShares.Average(), "F3")}%, device {Format(100 * deviceShares.Average(), "F3")}% over {cpuShares.Count} instances";
        return new BenchSection("Gset at 100 ms",
            $"dSB, budget {Budget.TotalMilliseconds} ms each, two rounds fitted to the budget, descent polish; cpu: one core, {cpuSettings.Agents} agents; device: {deviceSettings.Agents} agents. "
            + "ms is the solver's own elapsed time (it may overrun the budget by one sampling interval).\n\n"
            + $"```\n{table}```\n\n{summary}\n" + (notes.Count == 0 ? "" : string.Join("\n", notes) + "\n"),
            Passed: cpuShares.Count > 0);
    }
}
