using System.Diagnostics;
using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Remote;
using static QuantumEdge.Planning.Gpu.Benchmarks.Invariant;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// IPC overhead per solve through the real planner: starts <c>quantumedge-planner</c> on the same
/// accelerator, connects with the node's <see cref="PlannerConnection"/> and sends one small
/// assignment problem many times, one at a time. Overhead = round trip − the planner's own solve
/// time (as <c>PlannerClientStats</c> counts it): framing, the socket both ways, decoding,
/// rebuilding the problem in the planner and queueing for the device.
/// </summary>
internal static class IpcPart
{
    public static BenchSection Run(BenchContext context) => RunAsync(context).GetAwaiter().GetResult();

    private static async Task<BenchSection> RunAsync(BenchContext context)
    {
        await using var planner = await PlannerProcess.StartAsync(context.Options).ConfigureAwait(false);
        context.Log($"ipc: {planner.Banner}");
        var problem = BenchInstances.Routing(2, tasks: 8, backends: 3);
        var settings = new PlannerSettings { Agents = 8, StepsPerRound = 20, MaxContinuations = 0, TimeBudget = TimeSpan.FromSeconds(1) };
        var warmUp = context.Quick ? 2 : 10;
        var solves = context.Quick ? 12 : 300;
        var overhead = new LatencyRecorder(solves);
        var roundTrip = new LatencyRecorder(solves);
        var solve = new LatencyRecorder(solves);
        for (var k = 0; k < warmUp + solves && !context.OutOfTime; k++)
        {
            var started = Stopwatch.GetTimestamp();
            var plan = await planner.Connection.SolveAsync(problem, settings with { Seed = k + 1 }, CancellationToken.None).ConfigureAwait(false);
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (k >= warmUp)
            {
                roundTrip.Record(ms);
                solve.Record(plan.ElapsedMs);
                overhead.Record(Math.Max(0, ms - plan.ElapsedMs));
            }
        }

        var cpu = new LatencyRecorder(solves);
        var local = new AssignmentPlanner();
        for (var k = 0; k < warmUp + solves && !context.OutOfTime; k++)
        {
            var started = Stopwatch.GetTimestamp();
            local.Plan(problem, settings with { Seed = k + 1 });
            if (k >= warmUp)
            {
                cpu.RecordSince(started);
            }
        }

        var table = new TextTable("per solve", "n", "p50 ms", "p99 ms", "max ms");
        void Add(string name, LatencyRecorder recorder)
        {
            var d = recorder.Snapshot();
            table.Add(name, Format(d.Count), Format(d.P50, "F3"), Format(d.P99, "F3"), Format(d.Max, "F3"));
        }

        Add("IPC overhead (round trip − planner solve)", overhead);
        Add("round trip through the planner", roundTrip);
        Add("planner's own solve time", solve);
        Add("CPU planner in process, same problem", cpu);
        var measured = overhead.Snapshot();
        context.Log($"ipc overhead p50 {Format(measured.P50, "F3")} ms, p99 {Format(measured.P99, "F3")} ms over {measured.Count} solves");
        return new BenchSection("IPC overhead",
            $"The real planner process ({context.Options.Accelerator} accelerator) over its Unix socket, protocol v{PlannerProtocol.Version}, one solve in flight at a time; "
            + $"problem: 8 tasks × 3 backends ({problem.VariableCount} variables), {settings.Agents} agents, {settings.StepsPerRound} steps, after {warmUp} warm-up solves.\n\n"
            + $"```\n{table}```\n",
            Passed: measured.Count > 0);
    }
}
