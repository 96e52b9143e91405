using System.Buffers.Binary;
using System.Net.Sockets;
using QuantumEdge.Planning.Remote;

namespace QuantumEdge.Planning.Gpu.Tests.Serving;

/// <summary>A bare socket to the planner that sends whatever bytes a test wants, hostile ones included.</summary>
internal sealed class RawClient : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    private NetworkStream? _stream;

    public static async Task<RawClient> ConnectAsync(string path)
    {
        var client = new RawClient();
        await client._socket.ConnectAsync(new UnixDomainSocketEndPoint(path));
        client._stream = new NetworkStream(client._socket, ownsSocket: true);
        return client;
    }

    public async Task<RawClient> GreetAsync()
    {
        await SendAsync(PlannerMessages.Hello(PlannerProtocol.Version));
        var welcome = await ReceiveAsync();
        Assert.Equal((byte)FrameType.Welcome, welcome!.Value.Type);
        return this;
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes) => await _stream!.WriteAsync(bytes);

    /// <summary>A frame of any type and body with a correct length prefix.</summary>
    public static byte[] Frame(byte type, uint requestId, ReadOnlySpan<byte> body)
    {
        var frame = new byte[9 + body.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)(5 + body.Length));
        frame[4] = type;
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(5), requestId);
        body.CopyTo(frame.AsSpan(9));
        return frame;
    }

    /// <summary>The next frame, or null when the planner closed the connection.</summary>
    public async Task<Frame?> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            return await FrameIo.ReadAsync(_stream!, PlannerProtocol.MaxFrameBytes, timeout.Token);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static (PlannerErrorCode Code, string Message) Error(Frame frame)
    {
        Assert.Equal((byte)FrameType.Error, frame.Type);
        var error = PlannerMessages.ReadError(frame.Body);
        return (error.Code, error.Message);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _socket.Dispose();
    }
}
