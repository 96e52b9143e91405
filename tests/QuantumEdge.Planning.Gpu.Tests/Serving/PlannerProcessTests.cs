using System.Diagnostics;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Remote;

namespace QuantumEdge.Planning.Gpu.Tests.Serving;

/// <summary>
/// The real <c>quantumedge-planner</c> executable on the CPU accelerator as a child process, driven
/// by the node's <see cref="RemoteAssignmentSolver"/>: a solve over the socket, the process killed
/// while idle (no longer connected) and with a solve in flight.
/// </summary>
public sealed class PlannerProcessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("qe-planner-process-").FullName;
    private readonly Process _planner;

    public PlannerProcessTests()
    {
        var executable = Path.Combine(AppContext.BaseDirectory, "quantumedge-planner");
        _planner = Process.Start(new ProcessStartInfo(executable, ["--socket", SocketPath, "--accelerator", "cpu"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;

        // The planner prints its listening line once the socket is bound.
        var line = _planner.StandardOutput.ReadLine();
        if (line is null || !line.Contains("listening on", StringComparison.Ordinal))
        {
            _planner.WaitForExit();
            Assert.Fail($"planner did not start: {line} {_planner.StandardError.ReadToEnd()}");
        }
    }

    private string SocketPath => Path.Combine(_directory, "planner.sock");

    public void Dispose()
    {
        if (!_planner.HasExited)
        {
            _planner.Kill();
            _planner.WaitForExit();
        }

        _planner.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task A_solve_goes_through_the_planner_process_and_its_ipc_overhead_is_recorded()
    {
        var stats = new PlannerClientStats();
        await using var solver = new RemoteAssignmentSolver(SocketPath, minVariables: 1, new AssignmentPlanner(), stats, TimeProvider.System);
        var problem = Assignments.Routing(seed: 2, tasks: 8, backends: 3);

        var plan = await solver.SolveAsync(problem, new PlannerSettings { Agents = 8, StepsPerRound = 20, MaxContinuations = 0, TimeBudget = TimeSpan.FromSeconds(60) }, CancellationToken.None);

        Assert.Equal(1, stats.GpuSolves);
        Assert.Equal(0, stats.Fallbacks);
        Assert.Equal("cpu", stats.Device?.Kind);
        Assert.Equal("gpu", stats.LastSolveDevice);
        Assert.True(stats.LastIpcMs >= 0);
        Assert.True(plan.CapacityRespected);
        Assert.Equal(problem.Objective([.. plan.BackendOfTask]), plan.Objective, 9);
    }

    [Fact]
    public async Task Connected_turns_false_when_the_planner_dies_and_stays_false_after_the_breakers_cool_down()
    {
        var stats = new PlannerClientStats();
        await using var solver = new RemoteAssignmentSolver(SocketPath, minVariables: 1, new AssignmentPlanner(), stats, TimeProvider.System);
        var problem = Assignments.Routing(seed: 4, tasks: 6, backends: 3);
        var settings = new PlannerSettings { Agents = 8, StepsPerRound = 20, MaxContinuations = 0, TimeBudget = TimeSpan.FromSeconds(60) };
        Assert.False(solver.Connected);

        await solver.SolveAsync(problem, settings, CancellationToken.None);
        Assert.Equal(1, stats.GpuSolves);
        Assert.True(solver.Connected);

        // Killed while idle: no solve fails, the breaker stays closed and the handshake's device stays
        // known, yet the connection is gone, and the status must say so as soon as its socket closes.
        _planner.Kill();
        _planner.WaitForExit();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (solver.Connected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5); // Poll interval, bounded by the deadline.
        }

        Assert.False(solver.Connected);
        Assert.False(solver.BreakerOpen);
        Assert.NotNull(stats.Device);

        // A solve now falls back and opens the breaker; once its cool-down is over the planner is still dead.
        await solver.SolveAsync(problem, settings, CancellationToken.None);
        Assert.Equal(1, stats.Fallbacks);
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (solver.BreakerOpen && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5); // Poll interval, bounded by the deadline.
        }

        Assert.False(solver.BreakerOpen);
        Assert.False(solver.Connected);
    }

    [Fact]
    public async Task Killing_the_planner_mid_solve_answers_from_the_cpu_without_waiting_for_the_timeout()
    {
        var stats = new PlannerClientStats();
        await using var solver = new RemoteAssignmentSolver(SocketPath, minVariables: 1, new AssignmentPlanner(), stats, TimeProvider.System);
        var problem = Assignments.Routing(seed: 3, tasks: 60, backends: 6);

        // The planner's share of the budget (4.2 s) is far longer than noticing a closed socket, so
        // "crash" rather than "timeout" shows the fallback did not wait for the deadline.
        var solving = solver.SolveAsync(problem, new PlannerSettings { Agents = 32, StepsPerRound = 5_000, MaxContinuations = 0, TimeBudget = TimeSpan.FromSeconds(6) }, CancellationToken.None).AsTask();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (stats.Device is null && !solving.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.NotNull(stats.Device);
        _planner.Kill();
        var plan = await solving.WaitAsync(TimeSpan.FromMinutes(4));

        Assert.Equal("crash", stats.LastFallbackReason);
        Assert.Equal(1, stats.Fallbacks);
        Assert.Equal(0, stats.GpuSolves);
        Assert.True(plan.CapacityRespected);
        Assert.Equal(problem.Objective([.. plan.BackendOfTask]), plan.Objective, 9);
        Assert.True(solver.BreakerOpen);
    }
}
