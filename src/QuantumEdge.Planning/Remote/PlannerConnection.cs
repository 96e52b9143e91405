using System.Collections.Concurrent;
using System.Net.Sockets;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Ising;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Remote;

/// <summary>
/// One connection to <c>quantumedge-planner</c>: handshake, then any number of requests in flight,
/// matched to their answers by request id by a single reader. When the planner goes away every
/// pending request fails at once (no waiting for its deadline) and the connection reports itself dead.
/// </summary>
public sealed class PlannerConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<Frame>> _pending = new();
    private readonly CancellationTokenSource _closing = new();
    private Task _reader = Task.CompletedTask;
    private int _nextId;
    private volatile bool _dead;
    private int _disposed;

    private PlannerConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public PlannerDeviceInfo Device { get; private set; } = new("none", "none", 0);

    public bool IsAlive => !_dead;

    /// <exception cref="SocketException">No planner listens at <paramref name="path"/>.</exception>
    /// <exception cref="PlannerProtocolException">It answered the handshake with something else.</exception>
    /// <exception cref="PlannerErrorException">It refused the handshake (e.g. another protocol version).</exception>
    public static async Task<PlannerConnection> ConnectAsync(string path, CancellationToken cancellationToken, ushort version = PlannerProtocol.Version)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new PlannerConnection(socket);
        try
        {
            await connection._stream.WriteAsync(PlannerMessages.Hello(version), cancellationToken).ConfigureAwait(false);
            var answer = await FrameIo.ReadAsync(connection._stream, PlannerProtocol.MaxFrameBytes, cancellationToken).ConfigureAwait(false)
                ?? throw new PlannerProtocolException("the planner closed the connection during the handshake");
            connection.Device = answer.Type switch
            {
                (byte)FrameType.Welcome => PlannerMessages.ReadWelcome(answer.Body),
                (byte)FrameType.Error => throw PlannerMessages.ReadError(answer.Body),
                _ => throw new PlannerProtocolException($"handshake answered with frame type {answer.Type}"),
            };
            connection._reader = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<AssignmentPlan> SolveAsync(AssignmentProblem problem, PlannerSettings settings, CancellationToken cancellationToken)
    {
        var id = NextId();
        var answer = await RequestAsync(id, PlannerMessages.SolveAssignment(id, problem, settings), cancellationToken).ConfigureAwait(false);
        return answer.Type == (byte)FrameType.AssignmentResult
            ? PlannerMessages.ReadAssignmentResult(answer.Body, problem)
            : throw new PlannerProtocolException($"an assignment solve was answered with frame type {answer.Type}");
    }

    public async Task<SolverResult> SolveAsync(IsingModel model, BifurcationSettings settings, CancellationToken cancellationToken)
    {
        var id = NextId();
        var answer = await RequestAsync(id, PlannerMessages.SolveIsing(id, model, settings), cancellationToken).ConfigureAwait(false);
        return answer.Type == (byte)FrameType.IsingResult
            ? PlannerMessages.ReadIsingResult(answer.Body, model)
            : throw new PlannerProtocolException($"an Ising solve was answered with frame type {answer.Type}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _dead = true;
        await _closing.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _reader.ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException or PlannerProtocolException)
        {
            // The reader's failure has already been passed to every pending request.
        }

        FailPending(new IOException("the planner connection was closed"));
        _writeGate.Dispose();
        _closing.Dispose();
    }

    private uint NextId() => unchecked((uint)Interlocked.Increment(ref _nextId));

    private async Task<Frame> RequestAsync(uint id, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        if (_dead)
        {
            throw new IOException("the planner connection is closed");
        }

        var completion = new TaskCompletionSource<Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = completion;
        try
        {
            await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeGate.Release();
            }

            var answer = await completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return answer.Type == (byte)FrameType.Error ? throw PlannerMessages.ReadError(answer.Body) : answer;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            _dead = true;
            throw new IOException($"the planner connection failed: {e.Message}", e);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (await FrameIo.ReadAsync(_stream, PlannerProtocol.MaxFrameBytes, _closing.Token).ConfigureAwait(false) is { } frame)
            {
                if (frame.RequestId == 0 && frame.Type == (byte)FrameType.Error)
                {
                    // A connection-level error: the planner is about to close this connection.
                    FailPending(PlannerMessages.ReadError(frame.Body));
                    continue;
                }

                if (_pending.TryGetValue(frame.RequestId, out var waiting))
                {
                    waiting.TrySetResult(frame);
                }
            }

            FailPending(new IOException("the planner closed the connection"));
        }
        catch (Exception e)
        {
            FailPending(e is IOException ? e : new IOException($"the planner connection failed: {e.Message}", e));
        }
        finally
        {
            _dead = true;
        }
    }

    private void FailPending(Exception error)
    {
        _dead = _dead || error is IOException;
        foreach (var (_, waiting) in _pending)
        {
            waiting.TrySetException(error);
        }
    }
}
