using System.Net;
using System.Net.Sockets;
using System.Text;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>
/// A raw-socket HTTP/1.1 backend whose answer to the paths it is told never ends (the body runs
/// until the connection closes); other paths get a small model list. Written bytes are counted
/// when the kernel accepts them, so the count shows how much a reader really took, which Kestrel
/// cannot show (it turns writes after a disconnect into silent no-ops).
/// </summary>
public sealed class EndlessBodyServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _endlessPath;
    private readonly byte[] _chunk;
    private readonly Task _accepting;
    private long _bytesWritten;

    public EndlessBodyServer(string endlessPath, byte[] chunk)
    {
        _endlessPath = endlessPath;
        _chunk = chunk;
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1/");
        _accepting = AcceptAsync();
    }

    public Uri BaseUrl { get; }
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                connections.Add(ServeAsync(socket));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                var head = await ReadHeadAsync(socket);
                var path = head.Split(' ') is [_, var p, ..] ? p : "";
                if (path.EndsWith(_endlessPath, StringComparison.Ordinal))
                {
                    await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"u8.ToArray(), _stop.Token);
                    while (true)
                    {
                        Interlocked.Add(ref _bytesWritten, await socket.SendAsync(_chunk, _stop.Token));
                    }
                }

                var body = """{"object":"list","data":[{"id":"clinical-7b","object":"model"}]}"""u8.ToArray();
                await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), _stop.Token);
                await socket.SendAsync(body, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
                // The reader closed the connection (what a bounded reader does) or the server is stopping.
            }
        }
    }

    private async Task<string> ReadHeadAsync(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                break;
            }
        }

        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
