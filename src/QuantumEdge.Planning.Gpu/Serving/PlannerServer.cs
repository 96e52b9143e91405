using System.Net.Sockets;
using ILGPU.Runtime;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Devices;
using QuantumEdge.Planning.Gpu.Solvers;
using QuantumEdge.Planning.Instances;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Remote;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Gpu.Serving;

/// <summary>
/// Serves solves on a Unix socket (mode 0660). Each connection starts with a handshake; after it,
/// requests are decoded and answered as they complete, several in flight, while the accelerator
/// runs one solve at a time. A request that cannot be decoded, is too large for the device or fails
/// gets an error frame and the connection goes on; only a frame that breaks the framing itself
/// (a bad length, a wrong version, no handshake) ends its connection. Other connections never notice.
/// </summary>
internal sealed class PlannerServer : IAsyncDisposable
{
    /// <summary>Requests one connection may have waiting or running; more are refused as busy.</summary>
    private const int MaxInFlight = 32;

    private readonly string _socketPath;
    private readonly Accelerator _accelerator;
    private readonly long _maxDeviceBytes;
    private readonly SemaphoreSlim _device = new(1, 1);
    private readonly DeviceIsingSolver _ising;
    private readonly DeviceAssignmentSolver _assignment;
    private readonly PlannerDeviceInfo _info;
    private readonly Socket _listener;

    /// <param name="socketPath">Where to listen; a stale socket file there is replaced.</param>
    /// <param name="accelerator">The device every solve runs on, one at a time.</param>
    /// <param name="maxDeviceBytes">Device memory one solve may use; larger problems are refused (default: 80% of the device's).</param>
    public PlannerServer(string socketPath, Accelerator accelerator, long? maxDeviceBytes = null)
    {
        _socketPath = socketPath;
        _accelerator = accelerator;
        _maxDeviceBytes = maxDeviceBytes ?? (long)(Math.Min(accelerator.MemorySize, 64L << 30) * 0.8);
        _ising = new DeviceIsingSolver(accelerator);
        _assignment = new DeviceAssignmentSolver(accelerator);
        _info = new PlannerDeviceInfo(AcceleratorChoice.Kind(accelerator), accelerator.Name, accelerator.MemorySize)
        {
            // The constructors above compiled and loaded these (a failed load throws), and WarmUp runs them before the socket is announced.
            Kernels = [.. DeviceIsingSolver.KernelNames, .. DeviceAssignmentSolver.KernelNames],
        };
        if (File.Exists(socketPath))
        {
            // A socket file left by a crashed planner: nothing listens on it any more.
            File.Delete(socketPath);
        }

        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        if (!OperatingSystem.IsWindows())
        {
            // Owner and the node's group only: whoever can write here can spend the GPU.
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        }
        _listener.Listen(16);
    }

    public PlannerDeviceInfo Device => _info;

    /// <summary>
    /// One tiny solve of each kind and layout before the socket is announced. ILGPU compiles a kernel
    /// on its first launch and the JIT compiles the solvers on their first call; without this that
    /// lands on the first real solve (seconds on the CPU accelerator), which then overruns its budget
    /// and the node or <c>plan solve</c> falls back to the CPU.
    /// </summary>
    public void WarmUp()
    {
        var model = IsingModel.Create(3, [new WeightedEdge(0, 1, 1), new WeightedEdge(1, 2, -1)], [0.5, 0, 0], 0, ObjectiveSense.Minimise);
        foreach (var variant in new[] { BifurcationVariant.Discrete, BifurcationVariant.Ballistic })
        {
            foreach (var layout in new[] { CouplingLayout.Dense, CouplingLayout.Sparse })
            {
                // Fixed steps: a round sized to the budget (RoundsInBudget) would fill the minute.
                var settings = new BifurcationSettings { Variant = variant, Agents = 2, StepsPerRound = 20, MaxRounds = 1, TimeLimit = TimeSpan.FromSeconds(60), Parallelism = 1 };
                _ising.Solve(model, settings, layout);
            }
        }

        var builder = new AssignmentProblemBuilder(2);
        builder.SetBackend(0, 2).SetBackend(1, 2);
        builder.AddTask([new PermittedBackend(0, 1), new PermittedBackend(1, 2)]);
        builder.AddTask([new PermittedBackend(0, 2), new PermittedBackend(1, 1)]);
        builder.Couple(0, 1, 0.5);
        _assignment.Solve(builder.Build(), new PlannerSettings { Agents = 2, StepsPerRound = 20, MaxContinuations = 0, TimeBudget = TimeSpan.FromSeconds(60) });
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var connections = new List<Task>();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var client = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(Task.Run(() => ServeAsync(client, cancellationToken), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        File.Delete(_socketPath);
        _device.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task ServeAsync(Socket client, CancellationToken stopping)
    {
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        await using var stream = new NetworkStream(client, ownsSocket: true);
        using var writeGate = new SemaphoreSlim(1, 1);
        var inFlight = new List<Task>();

        async Task Send(ReadOnlyMemory<byte> frame)
        {
            await writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(frame, closing.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away; its connection ends with the read loop.
            }
            finally
            {
                writeGate.Release();
            }
        }

        try
        {
            var greeted = false;
            while (await FrameIo.ReadAsync(stream, PlannerProtocol.MaxFrameBytes, closing.Token).ConfigureAwait(false) is { } frame)
            {
                if (!greeted)
                {
                    if (!await Greet(frame, Send).ConfigureAwait(false))
                    {
                        return;
                    }

                    greeted = true;
                    continue;
                }

                inFlight.RemoveAll(t => t.IsCompleted);
                if (inFlight.Count >= MaxInFlight)
                {
                    await Send(PlannerMessages.Error(frame.RequestId, PlannerErrorCode.Busy, $"more than {MaxInFlight} requests in flight on this connection")).ConfigureAwait(false);
                    continue;
                }

                inFlight.Add(Task.Run(async () => await Send(await Answer(frame, closing.Token).ConfigureAwait(false)).ConfigureAwait(false), CancellationToken.None));
            }
        }
        catch (PlannerProtocolException e)
        {
            // The framing itself is broken (bad or oversized length): say why, then end this connection.
            await Send(PlannerMessages.Error(0, e.Code, e.Message)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // The client went away, or the planner is stopping.
        }
        finally
        {
            await closing.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }
    }

    private async Task<bool> Greet(Frame frame, Func<ReadOnlyMemory<byte>, Task> send)
    {
        if (frame.Type != (byte)FrameType.Hello)
        {
            await send(PlannerMessages.Error(frame.RequestId, PlannerErrorCode.HandshakeFirst, $"expected a hello frame first, got type {frame.Type}")).ConfigureAwait(false);
            return false;
        }

        try
        {
            var reader = new FrameReader(frame.Body);
            var version = reader.UInt16();
            reader.End();
            if (version != PlannerProtocol.Version)
            {
                await send(PlannerMessages.Error(0, PlannerErrorCode.UnsupportedVersion, $"this planner speaks protocol version {PlannerProtocol.Version}, the client {version}")).ConfigureAwait(false);
                return false;
            }
        }
        catch (PlannerProtocolException e)
        {
            await send(PlannerMessages.Error(0, PlannerErrorCode.Malformed, $"malformed hello: {e.Message}")).ConfigureAwait(false);
            return false;
        }

        await send(PlannerMessages.Welcome(_info)).ConfigureAwait(false);
        return true;
    }

    /// <summary>The answer frame for one request: a result, or an error naming the problem.</summary>
    private async Task<ReadOnlyMemory<byte>> Answer(Frame frame, CancellationToken cancellationToken)
    {
        var id = frame.RequestId;
        try
        {
            switch (frame.Type)
            {
                case (byte)FrameType.SolveAssignment:
                {
                    var (problem, settings) = PlannerMessages.ReadSolveAssignment(frame.Body);
                    CheckFits(DeviceAssignmentSolver.RequiredBytes(problem, settings.Agents), (long)problem.VariableCount * settings.Agents, "assignment");
                    var plan = await OnDevice(settings.TimeBudget, () => _assignment.Solve(problem, settings, cancellationToken), cancellationToken).ConfigureAwait(false);
                    return PlannerMessages.AssignmentResult(id, plan);
                }

                case (byte)FrameType.SolveIsing:
                {
                    var (model, settings) = PlannerMessages.ReadSolveIsing(frame.Body);
                    CheckFits(DeviceIsingSolver.RequiredBytes(model, settings.Agents, CouplingLayout.Auto), (long)model.Size * settings.Agents, "Ising");
                    var result = await OnDevice(settings.TimeLimit, () => _ising.Solve(model, settings, CouplingLayout.Auto, cancellationToken), cancellationToken).ConfigureAwait(false);
                    return PlannerMessages.IsingResult(id, result);
                }

                default:
                    return PlannerMessages.Error(id, PlannerErrorCode.Malformed, $"unknown or unexpected frame type {frame.Type}");
            }
        }
        catch (PlannerProtocolException e)
        {
            return PlannerMessages.Error(id, e.Code, e.Message);
        }
        catch (PlannerErrorException e)
        {
            return PlannerMessages.Error(id, e.Code, e.Message);
        }
        catch (OperationCanceledException)
        {
            return PlannerMessages.Error(id, PlannerErrorCode.Failed, "the solve was cancelled");
        }
        catch (Exception e) when (e is AcceleratorException or InvalidOperationException or ArgumentException or OutOfMemoryException)
        {
            return PlannerMessages.Error(id, PlannerErrorCode.Failed, $"the solve failed on the device: {e.GetType().Name}: {e.Message}");
        }
    }

    private void CheckFits(long bytes, long elements, string what)
    {
        if (elements > int.MaxValue || bytes > _maxDeviceBytes)
        {
            throw new PlannerProtocolException($"the {what} problem needs {bytes / (1 << 20)} MiB of device memory ({elements} agent-variables); this planner takes at most {_maxDeviceBytes / (1 << 20)} MiB", PlannerErrorCode.TooLarge);
        }
    }

    /// <summary>Runs a solve once the accelerator is free, or refuses it as busy when its budget passes first.</summary>
    private async Task<T> OnDevice<T>(TimeSpan budget, Func<T> solve, CancellationToken cancellationToken)
    {
        if (!await _device.WaitAsync(budget, cancellationToken).ConfigureAwait(false))
        {
            throw new PlannerErrorException(PlannerErrorCode.Busy, "the device stayed busy for the whole time budget");
        }

        try
        {
            return await Task.Run(solve, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _device.Release();
        }
    }
}
