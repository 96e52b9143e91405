using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Solvers;
using static QuantumEdge.Planning.Gpu.Benchmarks.Invariant;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// The CPU/device crossover in variables, for what <c>quantum_planning.gpu.min_variables</c> gates:
/// routing-like assignment problems of growing size, each solved by the CPU planner and the device
/// planner in process with the same settings (the shipped defaults) and the same budget. The device
/// beats the CPU at a size when its plan objective is lower, or equal and it answered sooner; the
/// crossover is the smallest size from which it beats the CPU at every larger size measured.
/// </summary>
internal static class CrossoverPart
{
    public static BenchSection Run(BenchContext context)
    {
        var shapes = context.Quick
            ? new[] { (8, 3), (16, 4), (32, 4) }
            : [(16, 4), (32, 4), (64, 8), (128, 8), (256, 16), (512, 16), (1_024, 32), (2_048, 32), (4_096, 64)];
        var settings = new PlannerSettings { Seed = 1 };
        var device = new DeviceAssignmentSolver(context.Accelerator);
        var planner = new AssignmentPlanner();
        device.Solve(BenchInstances.Routing(1, 6, 3), settings);
        planner.Plan(BenchInstances.Routing(1, 6, 3), settings);

        var table = new TextTable("tasks×backends", "variables", "cpu objective", "cpu ms", "cpu steps", "device objective", "device ms", "device steps", "device beats cpu");
        var results = new List<(int Variables, bool Beats)>();
        var notes = new List<string>();
        foreach (var (tasks, backends) in shapes)
        {
            if (context.OutOfTime)
            {
                notes.Add(context.OutOfTimeNote);
                break;
            }

            var problem = BenchInstances.Routing(2026, tasks, backends);
            var cpu = planner.Plan(problem, settings);
            var onDevice = device.Solve(problem, settings);
            var tolerance = 1e-9 * Math.Max(1, Math.Abs(cpu.Objective));
            var beats = onDevice.Objective < cpu.Objective - tolerance
                || (Math.Abs(onDevice.Objective - cpu.Objective) <= tolerance && onDevice.ElapsedMs < cpu.ElapsedMs);
            results.Add((problem.VariableCount, beats));
            table.Add($"{tasks}×{backends}", Format(problem.VariableCount), Format(cpu.Objective, "F3"), Format(cpu.ElapsedMs, "F1"), Format(cpu.Steps),
                Format(onDevice.Objective, "F3"), Format(onDevice.ElapsedMs, "F1"), Format(onDevice.Steps), beats ? "yes" : "no");
            context.Log($"crossover {tasks}x{backends} ({problem.VariableCount} variables): cpu {Format(cpu.Objective, "F3")} in {Format(cpu.ElapsedMs, "F1")} ms, device {Format(onDevice.Objective, "F3")} in {Format(onDevice.ElapsedMs, "F1")} ms");
        }

        var crossover = Crossover(results);
        var verdict = results.Count == 0
            ? "no size ran"
            : crossover is { } variables
                ? $"crossover: {variables} variables (the device beats the CPU at this size and every larger one measured)"
                : $"crossover: none up to {results[^1].Variables} variables (the CPU planner is as good or better at the largest size measured)";
        return new BenchSection("CPU/device crossover",
            $"Assignment planner, shipped defaults ({settings.Agents} agents, {settings.StepsPerRound} steps/round, up to {settings.MaxContinuations} continuations), budget {settings.TimeBudget.TotalMilliseconds} ms each, in process (no IPC). "
            + "Device beats CPU = lower plan objective, or the same objective sooner."
            + (context.IsGpu ? "" : " On the CPU accelerator the 'device' runs on the same cores as the CPU solver, so this crossover says nothing about a GPU.")
            + $"\n\n```\n{table}```\n\n{verdict}\n" + (notes.Count == 0 ? "" : string.Join("\n", notes) + "\n"),
            Passed: results.Count > 0);
    }

    /// <summary>The smallest variable count from which every measured size was a device win; null if the largest was not.</summary>
    internal static int? Crossover(IReadOnlyList<(int Variables, bool Beats)> ascending)
    {
        int? from = null;
        foreach (var (variables, beats) in ascending)
        {
            from = beats ? from ?? variables : null;
        }

        return from;
    }
}
