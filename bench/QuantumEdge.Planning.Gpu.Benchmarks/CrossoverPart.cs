using System.Diagnostics;
using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Solvers;
using QuantumEdge.Planning.Remote;
using static QuantumEdge.Planning.Gpu.Benchmarks.Invariant;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// The CPU/device crossover in variables, for what <c>quantum_planning.gpu.min_variables</c> gates:
/// routing-like assignment problems of growing size, each solved by the CPU planner with the
/// shipped defaults and a 50 ms budget, by the device planner in process with the same settings and
/// budget, and through the real planner process as the node sends it (the same settings with
/// <see cref="RemoteAssignmentSolver.RemoteShare"/> of the budget, timed over the round trip).
/// The device beats the CPU at a size when its plan objective is lower, or equal and it answered
/// sooner; a crossover is the smallest size from which it beats the CPU at every larger size measured.
/// </summary>
internal static class CrossoverPart
{
    public static BenchSection Run(BenchContext context) => RunAsync(context).GetAwaiter().GetResult();

    private static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var shapes = context.Quick
            ? new[] { (8, 3), (32, 4) }
            : [(16, 4), (32, 4), (64, 8), (128, 8), (256, 16), (512, 16), (1_024, 32), (2_048, 32), (4_096, 64)];
        var settings = new PlannerSettings { Seed = 1 };
        var remoteSettings = settings with { TimeBudget = settings.TimeBudget * RemoteAssignmentSolver.RemoteShare };
        var device = new DeviceAssignmentSolver(context.Accelerator);
        var planner = new AssignmentPlanner();
        var warmUp = BenchInstances.Routing(1, 6, 3);
        device.Solve(warmUp, settings);
        planner.Plan(warmUp, settings);
        PlannerProcess? process = null;
        var processNote = "";
        try
        {
            process = await PlannerProcess.StartAsync(context.Options).ConfigureAwait(false);
            await process.Connection.SolveAsync(warmUp, remoteSettings, CancellationToken.None).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            processNote = $"\nthrough the planner: not measured ({e.Message})\n";
        }

        await using var _ = process;
        var table = new TextTable("tasks×backends", "variables", "cpu objective", "cpu steps", "cpu ms", "device objective", "device steps", "device ms", "device wins", "planner objective", "planner steps", "planner round trip ms", "planner wins");
        var inProcess = new List<(int Variables, bool Beats)>();
        var throughPlanner = new List<(int Variables, bool Beats)>();
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
            var beats = Beats(onDevice, onDevice.ElapsedMs, cpu);
            inProcess.Add((problem.VariableCount, beats));
            string remoteObjective = "n/a", remoteSteps = "n/a", remoteMs = "n/a", remoteBeats = "n/a";
            if (process is { Connection.IsAlive: true })
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var remote = await process.Connection.SolveAsync(problem, remoteSettings, CancellationToken.None).ConfigureAwait(false);
                    var roundTrip = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    var remoteWins = Beats(remote, roundTrip, cpu);
                    throughPlanner.Add((problem.VariableCount, remoteWins));
                    (remoteObjective, remoteSteps, remoteMs, remoteBeats) = (Objective(remote), Format(remote.Steps), Format(roundTrip, "F1"), remoteWins ? "yes" : "no");
                }
                catch (Exception e) when (e is PlannerErrorException or PlannerProtocolException or IOException)
                {
                    // The node would fall back to the CPU here: for the crossover, a loss.
                    throughPlanner.Add((problem.VariableCount, false));
                    (remoteObjective, remoteBeats) = ("refused", "no");
                    notes.Add($"{tasks}×{backends} through the planner: {e.Message}");
                }
            }

            table.Add($"{tasks}×{backends}", Format(problem.VariableCount), Objective(cpu), Format(cpu.Steps), Format(cpu.ElapsedMs, "F1"),
                Objective(onDevice), Format(onDevice.Steps), Format(onDevice.ElapsedMs, "F1"), beats ? "yes" : "no", remoteObjective, remoteSteps, remoteMs, remoteBeats);
            context.Log($"crossover {tasks}x{backends} ({problem.VariableCount} variables): cpu {Format(cpu.Objective, "F3")} in {Format(cpu.ElapsedMs, "F1")} ms, "
                + $"device {Format(onDevice.Objective, "F3")} in {Format(onDevice.ElapsedMs, "F1")} ms, planner {remoteObjective} in {remoteMs} ms");
        }

        var verdict = $"crossover in process: {Verdict(inProcess)}\n"
            + (process is null ? "" : $"crossover through the planner process (the figure for quantum_planning.gpu.min_variables): {Verdict(throughPlanner)}\n");
        return new BenchSection("CPU/device crossover",
            $"Assignment planner, shipped defaults ({settings.Agents} agents, {settings.StepsPerRound} steps/round, up to {settings.MaxContinuations} continuations), budget {settings.TimeBudget.TotalMilliseconds} ms: "
            + $"the CPU planner and the device planner in process with the whole budget; the planner process over its socket with {RemoteAssignmentSolver.RemoteShare * 100:F0}% of it, as the node sends it, timed over the round trip. "
            + "Wins = lower plan objective than the CPU's, or the same objective sooner from a bifurcation that ran at least one step; "
            + "g marks the greedy plan (bifurcation did not beat it). Steps are bifurcation steps per agent over all rounds."
            + (context.IsGpu ? "" : " On the CPU accelerator the 'device' runs on the same cores as the CPU solver, so these crossovers say nothing about a GPU.")
            + $"\n\n```\n{table}```\n\n{verdict}{processNote}" + (notes.Count == 0 ? "" : string.Join("\n", notes) + "\n"),
            Passed: inProcess.Count > 0);
    }

    /// <summary>
    /// Whether <paramref name="plan"/> beats the CPU's: a lower objective, or the same one sooner from a
    /// bifurcation that ran. The first H200 runs counted as the crossover a planner that, like the CPU,
    /// ran no step at 4,096×64 and returned the same polished seed plan, sooner only because the CPU
    /// overran its budget: that says nothing about the device.
    /// </summary>
    internal static bool Beats(AssignmentPlan plan, double elapsedMs, AssignmentPlan cpu)
    {
        var tolerance = 1e-9 * Math.Max(1, Math.Abs(cpu.Objective));
        return plan.Objective < cpu.Objective - tolerance
            || (Math.Abs(plan.Objective - cpu.Objective) <= tolerance && elapsedMs < cpu.ElapsedMs
                && plan.Origin == PlanOrigin.Bifurcation && plan.Steps > 0);
    }

    private static string Objective(AssignmentPlan plan) => Format(plan.Objective, "F3") + (plan.Origin == PlanOrigin.Greedy ? " g" : "");

    private static string Verdict(IReadOnlyList<(int Variables, bool Beats)> results) =>
        results.Count == 0
            ? "no size ran"
            : Crossover(results) is { } variables
                ? $"{variables} variables (the device wins at this size and every larger one measured)"
                : $"none up to {results[^1].Variables} variables (the CPU planner is as good or better at the largest size measured)";

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
