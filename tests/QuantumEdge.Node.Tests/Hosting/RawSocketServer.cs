using System.Net;
using System.Net.Sockets;
using System.Text;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>
/// A loopback HTTP/1.1 server on raw sockets, for backends that must send what Kestrel would not:
/// it accepts connections until disposed and hands each to <see cref="ServeAsync"/>.
/// </summary>
public abstract class RawSocketServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _accepting;

    protected RawSocketServer()
    {
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1/");
        _accepting = AcceptAsync();
    }

    public Uri BaseUrl { get; }

    /// <summary>Cancelled when the server stops.</summary>
    protected CancellationTokenSource Stop { get; } = new();

    /// <summary>The small model list every other path gets, so that the gateway's health probe passes.</summary>
    protected static byte[] ModelListAnswer()
    {
        var body = """{"object":"list","data":[{"id":"clinical-7b","object":"model"}]}""";
        return Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
    }

    /// <summary>Serves one connection; the socket is closed afterwards.</summary>
    protected abstract Task ServeAsync(Socket socket);

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(Stop.Token);
                connections.Add(ServeAndCloseAsync(socket));
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAndCloseAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                await ServeAsync(socket);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
                // The reader closed the connection (what a bounded reader does) or the server is stopping.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
