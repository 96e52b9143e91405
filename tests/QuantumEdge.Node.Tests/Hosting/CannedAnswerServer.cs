using System.Net;
using System.Net.Sockets;
using System.Text;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>
/// A raw-socket HTTP/1.1 backend that answers completions with exactly the bytes a test gives
/// (head and body, however malformed: what Kestrel would refuse to send), then closes the
/// connection; other paths get a small model list.
/// </summary>
public sealed class CannedAnswerServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _answer;
    private readonly Task _accepting;
    private int _completions;

    public CannedAnswerServer(string answer)
    {
        _answer = Encoding.ASCII.GetBytes(answer);
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1/");
        _accepting = AcceptAsync();
    }

    public Uri BaseUrl { get; }
    public int Completions => Volatile.Read(ref _completions);

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
                var head = await ReadRequestAsync(socket);
                if (head.StartsWith("POST ", StringComparison.Ordinal) && head.Contains("/chat/completions", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _completions);
                    await socket.SendAsync(_answer, _stop.Token);
                }
                else
                {
                    var body = """{"object":"list","data":[{"id":"clinical-7b","object":"model"}]}"""u8.ToArray();
                    await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), _stop.Token);
                    await socket.SendAsync(body, _stop.Token);
                }

                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
                // The reader closed the connection or the server is stopping.
            }
        }
    }

    /// <summary>Reads the request's head and its Content-Length body, so that closing afterwards does not reset the connection under unread bytes.</summary>
    private async Task<string> ReadRequestAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        int end;
        while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var read = length < buffer.Length ? await socket.ReceiveAsync(buffer.AsMemory(length), _stop.Token) : 0;
            if (read == 0)
            {
                return Encoding.ASCII.GetString(buffer, 0, length);
            }

            length += read;
        }

        var head = Encoding.ASCII.GetString(buffer, 0, end);
        var declared = head.Split("\r\n").Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            .Select(p => int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        var remaining = declared - (length - end - 4);
        while (remaining > 0)
        {
            var read = await socket.ReceiveAsync(buffer, _stop.Token);
            if (read == 0)
            {
                break;
            }

            remaining -= read;
        }

        return head;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
