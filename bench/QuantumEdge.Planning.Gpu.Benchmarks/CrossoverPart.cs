using System.Diagnostics;
using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Solvers;
using QuantumEdge.Planning.Remote;
using static QuantumEdge.Planning.Gpu.Benchmarks.Invariant;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// The CPU/device crossover in variables, for what <c>quantum_planning.gpu.min_variables</c> gates:
/// routing-like assignment problems of growing size, five instances each, each solved by the CPU planner with the
/// shipped defaults and a 50 ms budget, by the device planner in process with the same settings and
/// budget, and through the real planner process as the node sends it (the same settings with
/// <see cref="RemoteAssignmentSolver.RemoteShare"/> of the budget less the transfer it has learned to
/// expect, <see cref="IpcAllowance"/>, timed over the round trip; an answer later than the node waits
/// is the CPU fallback it would be there).
/// The device beats the CPU on an instance when its plan objective is lower (and, through the planner,
/// it answered within the node's wait); at a size when it wins more instances than it loses; a
/// crossover is the smallest size from which it wins or ties every larger size measured, with a win.
/// </summary>
internal static class CrossoverPart
{
    /// <summary>
    /// One instance per size was one seed's luck: on the H200 the small sizes' verdicts were the same in
    /// every run because the problem and seed were fixed. Five give a majority to judge by.
    /// </summary>
    private const int InstancesPerSize = 5;

    public static BenchSection Run(BenchContext context) => RunAsync(context).GetAwaiter().GetResult();

    private static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var shapes = context.Quick
            ? new[] { (8, 3), (32, 4) }
            : [(16, 4), (32, 4), (64, 8), (128, 8), (256, 16), (512, 16), (1_024, 32), (2_048, 32), (4_096, 64)];
        var settings = new PlannerSettings { Seed = 1 };
        var remoteSettings = settings with { TimeBudget = settings.TimeBudget * RemoteAssignmentSolver.RemoteShare };
        var nodeWaitMs = RemoteAssignmentSolver.Wait(settings.TimeBudget).TotalMilliseconds;
        var transfer = new IpcAllowance();
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
        var table = new TextTable("tasks×backends", "variables", "cpu objective", "cpu steps", "cpu ms", "device objective", "device steps", "device ms", "device W-T-L", "planner objective", "planner steps", "planner solve ms", "planner round trip ms", "planner W-T-L");
        var inProcess = new List<(int Variables, CrossoverOutcome Outcome)>();
        var throughPlanner = new List<(int Variables, CrossoverOutcome Outcome)>();
        var notes = new List<string>();
        var instances = context.Quick ? 1 : InstancesPerSize;
        foreach (var (tasks, backends) in shapes)
        {
            if (context.OutOfTime)
            {
                notes.Add(context.OutOfTimeNote);
                break;
            }

            var (cpu, onDevice, remote) = (new Tally(), new Tally(), new Tally());
            var variables = 0;
            var late = 0;
            for (var k = 0; k < instances; k++)
            {
                var problem = BenchInstances.Routing(2026 + k, tasks, backends);
                variables = problem.VariableCount;
                var solveSettings = settings with { Seed = 1 + k };
                var cpuPlan = planner.Plan(problem, solveSettings);
                cpu.Add(cpuPlan, cpuPlan.ElapsedMs, CrossoverOutcome.Tie);
                var devicePlan = device.Solve(problem, solveSettings);
                onDevice.Add(devicePlan, devicePlan.ElapsedMs, Compare(devicePlan, cpuPlan));
                if (process is not null && !process.Connection.IsAlive)
                {
                    // The planner died earlier in the run: the node falls back to the CPU.
                    remote.Refused++;
                }
                else if (process is not null)
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        // The budget the node sends: its share, less the transfer it has learned to expect.
                        var solveBudget = remoteSettings.TimeBudget - transfer.For(problem.VariableCount, remoteSettings.TimeBudget);
                        var remotePlan = await process.Connection.SolveAsync(problem, solveSettings with { TimeBudget = solveBudget }, CancellationToken.None).ConfigureAwait(false);
                        var roundTrip = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                        transfer.Observe(problem.VariableCount, roundTrip, remotePlan.ElapsedMs);
                        // An answer later than the node waits would have been a timeout there, and a CPU plan.
                        remote.Add(remotePlan, roundTrip, roundTrip > nodeWaitMs ? CrossoverOutcome.Loss : Compare(remotePlan, cpuPlan));
                        late += roundTrip > nodeWaitMs ? 1 : 0;
                    }
                    catch (Exception e) when (e is PlannerErrorException or PlannerProtocolException or IOException)
                    {
                        // The node would fall back to the CPU here: for the crossover, a loss.
                        remote.Refused++;
                        notes.Add($"{tasks}×{backends} instance {k + 1} through the planner: {e.Message}");
                    }
                }
            }

            if (late > 0)
            {
                notes.Add($"{tasks}×{backends}: {late} of {instances} planner answers came after the node's {Format(nodeWaitMs, "F0")} ms wait (losses)");
            }

            inProcess.Add((variables, onDevice.Outcome));
            var measured = remote.Count + remote.Refused > 0;
            if (measured)
            {
                throughPlanner.Add((variables, remote.Outcome));
            }

            table.Add($"{tasks}×{backends}", Format(variables), cpu.MeanObjective, cpu.MeanSteps, cpu.MeanMs,
                onDevice.MeanObjective, onDevice.MeanSteps, onDevice.MeanMs, onDevice.Record,
                measured ? remote.MeanObjective : "n/a", measured ? remote.MeanSteps : "n/a", measured ? remote.MeanSolveMs : "n/a", measured ? remote.MeanMs : "n/a", measured ? remote.Record : "n/a");
            context.Log($"crossover {tasks}x{backends} ({variables} variables, {instances} instances): cpu {cpu.MeanObjective} in {cpu.MeanMs} ms, "
                + $"device {onDevice.MeanObjective} in {onDevice.MeanMs} ms ({onDevice.Record}), planner {(measured ? remote.MeanObjective : "n/a")} ({remote.Record})");
        }

        var verdict = $"crossover in process: {Verdict(inProcess)}\n"
            + (process is null ? "" : $"crossover through the planner process (the figure for quantum_planning.gpu.min_variables): {Verdict(throughPlanner)}\n");
        return new BenchSection("CPU/device crossover",
            $"Assignment planner, shipped defaults ({settings.Agents} agents, {settings.StepsPerRound} steps/round, up to {settings.MaxContinuations} continuations), budget {settings.TimeBudget.TotalMilliseconds} ms: "
            + $"the CPU planner and the device planner in process with the whole budget; the planner process over its socket with {RemoteAssignmentSolver.RemoteShare * 100:F0}% of it less the transfer learned from earlier answers, as the node sends it, timed over the round trip. "
            + $"Each size is {instances} instance(s) (problem and seed varied together); objectives, steps and times are their means. "
            + "W-T-L counts the instances won, tied and lost against the CPU: a lower plan objective wins, a higher one loses, the same one ties; "
            + $"a planner refusal, or an answer later than the node waits for it ({Format(nodeWaitMs, "F0")} ms: {RemoteAssignmentSolver.RemoteShare * 100:F0}% of the budget + 5 ms), is a loss, since the node would have answered from the CPU. A size is a win with more wins than losses. gK: K instances returned the greedy plan (bifurcation did not beat it). Steps are bifurcation steps per agent over all rounds."
            + (context.IsGpu ? "" : " On the CPU accelerator the 'device' runs on the same cores as the CPU solver, so these crossovers say nothing about a GPU.")
            + $"\n\n```\n{table}```\n\n{verdict}{processNote}" + (notes.Count == 0 ? "" : string.Join("\n", notes) + "\n"),
            Passed: inProcess.Count > 0);
    }

    /// <summary>
    /// How <paramref name="plan"/> fares against the CPU's: a lower objective wins, a higher one loses, and
    /// the same one is a tie, however fast. The first H200 runs counted as the crossover a planner that,
    /// like the CPU, ran no step at 4,096×64 and returned the same polished seed plan, sooner only because
    /// the CPU overran its budget; and since the device also offers the seed plan after 1-opt, an equal
    /// plan answered sooner need not come from its anneal at all.
    /// </summary>
    internal static CrossoverOutcome Compare(AssignmentPlan plan, AssignmentPlan cpu)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(cpu);
        var tolerance = 1e-9 * Math.Max(1, Math.Abs(cpu.Objective));
        return Math.Abs(plan.Objective - cpu.Objective) <= tolerance ? CrossoverOutcome.Tie
            : plan.Objective < cpu.Objective ? CrossoverOutcome.Win
            : CrossoverOutcome.Loss;
    }

    /// <summary>A size's outcome: more wins than losses over its instances is a win, more losses a loss.</summary>
    internal static CrossoverOutcome Verdict(int wins, int losses) =>
        wins > losses ? CrossoverOutcome.Win : losses > wins ? CrossoverOutcome.Loss : CrossoverOutcome.Tie;

    private static string Verdict(IReadOnlyList<(int Variables, CrossoverOutcome Outcome)> results) =>
        results.Count == 0
            ? "no size ran"
            : Crossover(results) is { } variables
                ? $"{variables} variables (the device wins or ties at this size and every larger one measured, and wins at least one)"
                : $"none up to {results[^1].Variables} variables (the CPU planner is better at the largest size measured, or the device wins at none)";

    /// <summary>
    /// The smallest variable count from which every measured size was a device win or a tie, with at
    /// least one win among them; null if there is none.
    /// </summary>
    internal static int? Crossover(IReadOnlyList<(int Variables, CrossoverOutcome Outcome)> ascending)
    {
        int? from = null;
        var won = false;
        foreach (var (variables, outcome) in ascending)
        {
            if (outcome == CrossoverOutcome.Loss)
            {
                (from, won) = (null, false);
                continue;
            }

            from ??= variables;
            won |= outcome == CrossoverOutcome.Win;
        }

        return won ? from : null;
    }

    /// <summary>One solver's plans over a size's instances.</summary>
    private sealed class Tally
    {
        private double _objective;
        private double _milliseconds;
        private double _solveMilliseconds;
        private long _steps;
        private int _greedy;
        private int _wins;
        private int _losses;

        public int Count { get; private set; }

        public int Refused { get; set; }

        public string MeanObjective => Count == 0 ? "refused" : Format(_objective / Count, "F3") + (_greedy > 0 ? $" g{_greedy}" : "");

        public string MeanSteps => Count == 0 ? "n/a" : Format(_steps / Count);

        public string MeanMs => Count == 0 ? "n/a" : Format(_milliseconds / Count, "F1");

        /// <summary>The solver's own elapsed time, without the round trip.</summary>
        public string MeanSolveMs => Count == 0 ? "n/a" : Format(_solveMilliseconds / Count, "F1");

        /// <summary>Wins, ties and losses against the CPU; a refusal is a loss (the node falls back to the CPU).</summary>
        public string Record => $"{_wins}-{Count - _wins - _losses}-{_losses + Refused}";

        public CrossoverOutcome Outcome => Verdict(_wins, _losses + Refused);

        public void Add(AssignmentPlan plan, double milliseconds, CrossoverOutcome outcome)
        {
            _objective += plan.Objective;
            _milliseconds += milliseconds;
            _solveMilliseconds += plan.ElapsedMs;
            _steps += plan.Steps;
            _greedy += plan.Origin == PlanOrigin.Greedy ? 1 : 0;
            Count++;
            _wins += outcome == CrossoverOutcome.Win ? 1 : 0;
            _losses += outcome == CrossoverOutcome.Loss ? 1 : 0;
        }
    }
}
