using System.Net.Sockets;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Remote;

namespace QuantumEdge.Planning.Tests.Remote;

/// <summary>
/// The node's side of the GPU planner: whatever goes wrong with the planner process, a solve
/// answers from the CPU with a valid plan, says why in the stats, and the breaker then keeps the
/// planner out of the path.
/// </summary>
public sealed class RemoteAssignmentSolverTests : IDisposable
{
    private static readonly PlannerSettings Settings = new() { Agents = 8, StepsPerRound = 20, TimeBudget = TimeSpan.FromMilliseconds(400) };

    private readonly string _directory = Directory.CreateTempSubdirectory("qe-remote-").FullName;

    private string SocketPath => Path.Combine(_directory, "planner.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_missing_socket_falls_back_to_the_cpu_and_opens_the_breaker()
    {
        var stats = new PlannerClientStats();
        await using var solver = new RemoteAssignmentSolver(SocketPath, minVariables: 1, new AssignmentPlanner(), stats, TimeProvider.System);
        var problem = RandomInstances.Routing(new Random(1), 12, 4);

        var first = await solver.SolveAsync(problem, Settings, CancellationToken.None);
        var second = await solver.SolveAsync(problem, Settings, CancellationToken.None);

        Assert.True(first.CapacityRespected);
        Assert.Equal(problem.Objective([.. first.BackendOfTask]), first.Objective, 9);
        Assert.Equal(1, stats.Fallbacks);
        Assert.Equal("unavailable", stats.LastFallbackReason);
        Assert.True(solver.BreakerOpen);
        Assert.Equal(1, stats.Bypassed);
        Assert.Equal(2, stats.CpuSolves);
        Assert.Equal(0, stats.GpuSolves);
        Assert.True(second.CapacityRespected);
    }

    [Fact]
    public async Task Problems_below_the_threshold_stay_on_the_cpu_without_counting_a_fallback()
    {
        var stats = new PlannerClientStats();
        await using var solver = new RemoteAssignmentSolver(SocketPath, minVariables: 10_000, new AssignmentPlanner(), stats, TimeProvider.System);

        var plan = await solver.SolveAsync(RandomInstances.Routing(new Random(2), 12, 4), Settings, CancellationToken.None);

        Assert.True(plan.CapacityRespected);
        Assert.Equal(0, stats.Fallbacks);
        Assert.Equal(1, stats.CpuSolves);
        Assert.False(solver.BreakerOpen);
    }

    [Fact]
    public async Task A_planner_that_never_answers_times_out_inside_the_budget_and_the_cpu_answers()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(1);
        var silent = SilentPlannerAsync(listener);
        var stats = new PlannerClientStats();
        await using var solver = new RemoteAssignmentSolver(SocketPath, minVariables: 1, new AssignmentPlanner(), stats, TimeProvider.System);
        var problem = RandomInstances.Routing(new Random(3), 12, 4);

        // A budget long enough for the handshake on a loaded machine, so the timeout is the solve's.
        var plan = await solver.SolveAsync(problem, Settings with { TimeBudget = TimeSpan.FromSeconds(2) }, CancellationToken.None);

        Assert.True(plan.CapacityRespected);
        Assert.Equal("timeout", stats.LastFallbackReason);
        Assert.Equal("test", stats.Device?.Kind);
        Assert.True(solver.BreakerOpen);
        listener.Dispose();
        await silent;
    }

    [Fact]
    public async Task A_large_problem_whose_transfer_took_time_is_sent_a_smaller_budget_next_time()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(1);
        var budgets = new List<TimeSpan>();
        var planner = SlowTransferPlannerAsync(listener, TimeSpan.FromMilliseconds(60), budgets);
        var stats = new PlannerClientStats();
        await using var solver = new RemoteAssignmentSolver(SocketPath, minVariables: 1, new AssignmentPlanner(), stats, TimeProvider.System);
        var problem = RandomInstances.Routing(new Random(4), 128, 16);
        Assert.True(problem.VariableCount >= IpcAllowance.MinVariables);
        var settings = Settings with { TimeBudget = TimeSpan.FromSeconds(2) };

        await solver.SolveAsync(problem, settings, CancellationToken.None);
        await solver.SolveAsync(problem, settings, CancellationToken.None);

        Assert.Equal(2, stats.GpuSolves);
        Assert.Equal(2, budgets.Count);
        Assert.Equal(settings.TimeBudget * RemoteAssignmentSolver.RemoteShare, budgets[0]);
        // The first answer took at least 60 ms beyond the planner's 0.5 ms of solving (more on a busy
        // machine): at least that is kept back, and never more than half the planner's share.
        Assert.InRange(budgets[0] - budgets[1], TimeSpan.FromMilliseconds(55), budgets[0] / 2);
        await solver.DisposeAsync();
        listener.Dispose();
        await planner;
    }

    [Fact]
    public async Task A_planner_that_refuses_the_handshake_counts_as_a_refusal()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(1);
        var refusing = Task.Run(async () =>
        {
            using var client = await listener.AcceptAsync();
            await using var stream = new NetworkStream(client);
            _ = await FrameIo.ReadAsync(stream, PlannerProtocol.MaxFrameBytes, CancellationToken.None);
            await stream.WriteAsync(PlannerMessages.Error(0, PlannerErrorCode.UnsupportedVersion, "this planner speaks protocol version 2"));
        });
        var stats = new PlannerClientStats();
        await using var solver = new RemoteAssignmentSolver(SocketPath, minVariables: 1, new AssignmentPlanner(), stats, TimeProvider.System);

        // As above: a budget long enough that the refusal, not the deadline, ends the attempt on a loaded machine.
        var plan = await solver.SolveAsync(RandomInstances.Routing(new Random(4), 10, 3), Settings with { TimeBudget = TimeSpan.FromSeconds(2) }, CancellationToken.None);

        await refusing;
        Assert.True(plan.CapacityRespected);
        Assert.Equal("refused", stats.LastFallbackReason);
    }

    [Fact]
    public void The_breaker_half_opens_for_one_caller_after_its_cool_down_and_doubles_it_on_failure()
    {
        var time = new ManualTime();
        var breaker = new PlannerBreaker(time, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));
        Assert.True(breaker.TryEnter());

        breaker.Failed();
        Assert.False(breaker.TryEnter());
        time.Advance(TimeSpan.FromSeconds(2.1));
        Assert.True(breaker.TryEnter());
        Assert.False(breaker.TryEnter());

        breaker.Failed();
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(breaker.TryEnter());
        time.Advance(TimeSpan.FromSeconds(1.1));
        Assert.True(breaker.TryEnter());
        breaker.Succeeded();
        Assert.True(breaker.TryEnter());
        Assert.True(breaker.TryEnter());
    }

    /// <summary>Accepts one connection, completes the handshake, then reads requests and never answers.</summary>
    private static async Task SilentPlannerAsync(Socket listener)
    {
        try
        {
            using var client = await listener.AcceptAsync();
            await using var stream = new NetworkStream(client);
            _ = await FrameIo.ReadAsync(stream, PlannerProtocol.MaxFrameBytes, CancellationToken.None);
            await stream.WriteAsync(PlannerMessages.Welcome(new PlannerDeviceInfo("test", "silent", 0)));
            while (await FrameIo.ReadAsync(stream, PlannerProtocol.MaxFrameBytes, CancellationToken.None) is not null)
            {
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The client dropped the connection after its timeout.
        }
    }

    /// <summary>
    /// Answers every solve with the CPU's plan after <paramref name="transfer"/>, reporting 0.5 ms of
    /// solving: a planner whose transfer is slow. Records the budgets it was sent.
    /// </summary>
    private static async Task SlowTransferPlannerAsync(Socket listener, TimeSpan transfer, List<TimeSpan> budgets)
    {
        try
        {
            using var client = await listener.AcceptAsync();
            await using var stream = new NetworkStream(client);
            _ = await FrameIo.ReadAsync(stream, PlannerProtocol.MaxFrameBytes, CancellationToken.None);
            await stream.WriteAsync(PlannerMessages.Welcome(new PlannerDeviceInfo("test", "slow transfer", 0)));
            while (await FrameIo.ReadAsync(stream, PlannerProtocol.MaxFrameBytes, CancellationToken.None) is { } frame)
            {
                var (problem, settings) = PlannerMessages.ReadSolveAssignment(frame.Body);
                budgets.Add(settings.TimeBudget);
                var plan = new AssignmentPlanner().Plan(problem, settings with { TimeBudget = TimeSpan.FromMilliseconds(5) });
                await Task.Delay(transfer);
                await stream.WriteAsync(PlannerMessages.AssignmentResult(frame.RequestId, plan with { ElapsedMs = 0.5 }));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The client closed the connection.
        }
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }

    [Fact]
    public void The_node_waits_for_the_planner_its_share_of_the_budget_and_five_milliseconds()
    {
        // The GPU bench counts a planner answer later than this as the CPU fallback it would be.
        Assert.Equal(TimeSpan.FromMilliseconds(40), RemoteAssignmentSolver.Wait(TimeSpan.FromMilliseconds(50)));
    }
}
