using System.Diagnostics;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Remote;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Node.Cli;

/// <summary>
/// Where <c>plan solve</c> runs: the GPU planner process over its socket (<c>--device gpu</c>, or
/// <c>auto</c> when it answers) or the in-process CPU solver. A planner solve gets
/// <see cref="RemoteAssignmentSolver.RemoteShare"/> of the budget; when it fails mid-solve (killed,
/// timed out, protocol error, refusal) the CPU solver answers with the rest of the same budget and
/// later solves stay on the CPU, as the node's <see cref="RemoteAssignmentSolver"/> does.
/// </summary>
internal sealed class PlanSolveDevice : IAsyncDisposable
{
    /// <summary>
    /// Time a planner answer may take beyond its share of the budget, as a share of the whole budget.
    /// Wider than the node's 5 ms: a one-off CLI solve pays the planner's first-solve costs, and the
    /// CPU fallback still keeps a fifth of the budget.
    /// </summary>
    private const double SlackShare = 0.1;

    private PlannerConnection? _planner;

    private PlanSolveDevice(string? socketPath, PlannerConnection? planner, string? fallbackReason)
    {
        SocketPath = socketPath;
        _planner = planner;
        FallbackReason = fallbackReason;
        Planner = planner?.Device;
    }

    /// <summary>The planner's socket; null for <c>--device cpu</c>.</summary>
    public string? SocketPath { get; }

    /// <summary>The planner's device from its handshake; null when it never answered.</summary>
    public PlannerDeviceInfo? Planner { get; }

    /// <summary>Why a solve meant for the planner ran on the CPU (unavailable, timeout, crash, protocol, refused); null when none did.</summary>
    public string? FallbackReason { get; private set; }

    /// <summary>IPC overhead of the last planner solve: round trip minus the planner's own solve time.</summary>
    public double? LastIpcMs { get; private set; }

    /// <summary>
    /// <c>cpu</c>: no planner. <c>gpu</c>: the planner must answer the handshake within
    /// <paramref name="connectTimeout"/>, else <see cref="PlannerUnreachableException"/>.
    /// <c>auto</c>: the planner when it answers, else the CPU (reason <c>unavailable</c>).
    /// </summary>
    public static async Task<PlanSolveDevice> OpenAsync(string device, string? socketPath, TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        if (device == "cpu" || socketPath is null)
        {
            return new PlanSolveDevice(null, null, null);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(connectTimeout);
        string problem;
        try
        {
            var connection = await PlannerConnection.ConnectAsync(socketPath, timeout.Token).ConfigureAwait(false);
            return new PlanSolveDevice(socketPath, connection, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = $"no handshake within {connectTimeout.TotalMilliseconds:F0} ms";
        }
        catch (Exception e) when (RemoteAssignmentSolver.FallbackReason(e, cancellationToken) is not null || e is ArgumentException)
        {
            // ArgumentException: a path too long for a Unix socket address.
            problem = e.Message;
        }

        return device == "gpu"
            ? throw new PlannerUnreachableException(
                $"--device gpu: no GPU planner process answers at '{socketPath}' ({problem}); start 'quantumedge-planner --socket {socketPath}' (or the quantumedge-planner service), give its socket with --planner-socket, or use --device cpu or auto")
            : new PlanSolveDevice(socketPath, null, "unavailable");
    }

    /// <summary>One solve within <c>settings.TimeLimit</c>, on the planner while it is healthy, else on the CPU.</summary>
    public async Task<(SolverResult Result, string Device)> SolveAsync(IsingModel model, BifurcationSettings settings, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (_planner is not null)
        {
            var remoteBudget = settings.TimeLimit * RemoteAssignmentSolver.RemoteShare;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(remoteBudget + (settings.TimeLimit * SlackShare));
            string reason;
            try
            {
                var result = await _planner.SolveAsync(model, settings with { TimeLimit = remoteBudget }, timeout.Token).ConfigureAwait(false);
                LastIpcMs = Math.Max(0, Stopwatch.GetElapsedTime(started).TotalMilliseconds - result.ElapsedMs);
                return (result, "gpu");
            }
            catch (Exception e) when (RemoteAssignmentSolver.FallbackReason(e, cancellationToken) is { } why)
            {
                reason = why;
            }

            FallbackReason = reason;
            await DisposeAsync().ConfigureAwait(false);
            var left = settings.TimeLimit - Stopwatch.GetElapsedTime(started);
            settings = settings with { TimeLimit = left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1) };
        }

        return (SimulatedBifurcationSolver.Solve(model, settings), "cpu");
    }

    public async ValueTask DisposeAsync()
    {
        var planner = Interlocked.Exchange(ref _planner, null);
        if (planner is not null)
        {
            await planner.DisposeAsync().ConfigureAwait(false);
        }
    }
}
