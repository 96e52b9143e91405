using System.Diagnostics;
using System.Net.Sockets;
using QuantumEdge.Planning.Assignment;

namespace QuantumEdge.Planning.Remote;

/// <summary>
/// The GPU planner process as an <see cref="IAssignmentSolver"/>: problems of at least
/// <c>minVariables</c> variables go over the socket with <see cref="RemoteShare"/> of the budget, less
/// the time their transfer is expected to take (<see cref="IpcAllowance"/>);
/// a timeout, a crash, a protocol error or a missing socket answers from the CPU solver with the
/// rest of the same budget, is counted, and opens the breaker so that a dead planner then costs
/// nothing per request. Smaller problems, and every problem while the breaker is open, go
/// straight to the CPU solver.
/// </summary>
public sealed class RemoteAssignmentSolver : IAssignmentSolver, IAsyncDisposable
{
    /// <summary>Share of the budget the planner gets; the rest is the CPU fallback's.</summary>
    public const double RemoteShare = 0.7;

    /// <summary>Time the planner's answer may take beyond its budget (the IPC round trip, scheduling).</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(5);

    /// <summary>How long the node waits for the planner's answer to a solve of <paramref name="budget"/> before it falls back to the CPU.</summary>
    internal static TimeSpan Wait(TimeSpan budget) => (budget * RemoteShare) + Slack;

    private readonly string _socketPath;
    private readonly int _minVariables;
    private readonly IAssignmentSolver _cpu;
    private readonly PlannerBreaker _breaker;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly IpcAllowance _ipc = new();
    private PlannerConnection? _connection;
    private volatile bool _lastExchangeFailed;

    public RemoteAssignmentSolver(string socketPath, int minVariables, IAssignmentSolver cpu, PlannerClientStats stats, TimeProvider time)
    {
        _socketPath = socketPath;
        _minVariables = minVariables;
        _cpu = cpu;
        _time = time;
        Stats = stats;
        _breaker = new PlannerBreaker(time, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));
    }

    public string Device => "gpu";

    /// <summary>The planner process's socket (<c>quantum_planning.gpu.socket_path</c>).</summary>
    public string SocketPath => _socketPath;

    /// <summary>Problems with fewer variables stay on the CPU (<c>quantum_planning.gpu.min_variables</c>).</summary>
    public int MinVariables => _minVariables;

    public PlannerClientStats Stats { get; }

    public bool BreakerOpen => _breaker.IsOpen;

    /// <summary>
    /// True only while a connection to the planner is open and its last exchange (the handshake or a
    /// solve) succeeded. A planner that died reads false as soon as its socket closes, and stays false
    /// after the breaker's cool-down until a new connection's handshake succeeds.
    /// </summary>
    public bool Connected => !_lastExchangeFailed && Volatile.Read(ref _connection) is { IsAlive: true };

    public async ValueTask<AssignmentPlan> SolveAsync(AssignmentProblem problem, PlannerSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(settings);
        var started = Stopwatch.GetTimestamp();
        if (problem.VariableCount < _minVariables)
        {
            return await CpuAsync(problem, settings, started, cancellationToken).ConfigureAwait(false);
        }

        if (!_breaker.TryEnter())
        {
            Stats.RecordBypass();
            return await CpuAsync(problem, settings, started, cancellationToken).ConfigureAwait(false);
        }

        var remoteBudget = settings.TimeBudget * RemoteShare;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Wait(settings.TimeBudget));
        string reason;
        try
        {
            var connection = await ConnectionAsync(timeout.Token).ConfigureAwait(false);
            var sent = Stopwatch.GetTimestamp();
            var solveBudget = remoteBudget - _ipc.For(problem.VariableCount, remoteBudget);
            var plan = await connection.SolveAsync(problem, settings with { TimeBudget = solveBudget }, timeout.Token).ConfigureAwait(false);
            _ipc.Observe(problem.VariableCount, Stopwatch.GetElapsedTime(sent).TotalMilliseconds, plan.ElapsedMs);
            _breaker.Succeeded();
            _lastExchangeFailed = false;
            Stats.RecordGpu(Stopwatch.GetElapsedTime(started).TotalMilliseconds, plan.ElapsedMs, _time.GetUtcNow());
            return plan;
        }
        catch (Exception e) when (FallbackReason(e, cancellationToken) is { } why)
        {
            reason = why;
        }

        _lastExchangeFailed = true;
        _breaker.Failed();
        Stats.RecordFallback(reason);
        await DropConnectionAsync().ConfigureAwait(false);
        var left = settings.TimeBudget - Stopwatch.GetElapsedTime(started);
        return await CpuAsync(problem, settings with { TimeBudget = left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1) }, started, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The fallback reason a failed planner call counts under: <c>timeout</c> (cancelled, but not by
    /// <paramref name="callerToken"/>), <c>unavailable</c> (no socket or no listener), <c>crash</c> (the
    /// connection broke), <c>protocol</c> (an answer that breaks the protocol), <c>refused</c> (an error
    /// frame); null for anything else, which is not the planner's failure and should propagate.
    /// </summary>
    public static string? FallbackReason(Exception error, CancellationToken callerToken) => error switch
    {
        OperationCanceledException when !callerToken.IsCancellationRequested => "timeout",
        SocketException => "unavailable",
        IOException => "crash",
        PlannerProtocolException => "protocol",
        PlannerErrorException => "refused",
        _ => null,
    };

    public async ValueTask DisposeAsync()
    {
        await DropConnectionAsync().ConfigureAwait(false);
        _connectGate.Dispose();
    }

    private async ValueTask<AssignmentPlan> CpuAsync(AssignmentProblem problem, PlannerSettings settings, long started, CancellationToken cancellationToken)
    {
        var plan = await _cpu.SolveAsync(problem, settings, cancellationToken).ConfigureAwait(false);
        Stats.RecordCpu(Stopwatch.GetElapsedTime(started).TotalMilliseconds, _time.GetUtcNow());
        return plan;
    }

    private async ValueTask<PlannerConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _connection) is { IsAlive: true } live)
        {
            return live;
        }

        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is { IsAlive: true } current)
            {
                return current;
            }

            if (Interlocked.Exchange(ref _connection, null) is { } dead)
            {
                // Forgotten before the new connect: a failed connect must not leave the disposed one to be disposed again.
                await dead.DisposeAsync().ConfigureAwait(false);
            }

            if (!File.Exists(_socketPath))
            {
                // No socket file: the planner is not installed or not running; no connect needed to know.
                throw new SocketException((int)SocketError.AddressNotAvailable);
            }

            var connection = await PlannerConnection.ConnectAsync(_socketPath, cancellationToken).ConfigureAwait(false);
            _lastExchangeFailed = false;
            Stats.Device = connection.Device;
            Volatile.Write(ref _connection, connection);
            return connection;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private async ValueTask DropConnectionAsync()
    {
        var connection = Interlocked.Exchange(ref _connection, null);
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
