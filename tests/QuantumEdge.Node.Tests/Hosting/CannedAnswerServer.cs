using System.Net.Sockets;
using System.Text;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>
/// A raw-socket HTTP/1.1 backend that answers completions with exactly the bytes a test gives
/// (head and body, however malformed: what Kestrel would refuse to send), then closes the
/// connection; other paths get a small model list.
/// </summary>
public sealed class CannedAnswerServer(string answer) : RawSocketServer
{
    private readonly byte[] _answer = Encoding.ASCII.GetBytes(answer);
    private int _completions;

    public int Completions => Volatile.Read(ref _completions);

    protected override async Task ServeAsync(Socket socket)
    {
        var head = await ReadRequestAsync(socket);
        if (head.StartsWith("POST ", StringComparison.Ordinal) && head.Contains("/chat/completions", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _completions);
            await socket.SendAsync(_answer, Stop.Token);
        }
        else
        {
            await socket.SendAsync(ModelListAnswer(), Stop.Token);
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    /// <summary>Reads the request's head and its Content-Length body, so that closing afterwards does not reset the connection under unread bytes.</summary>
    private async Task<string> ReadRequestAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var length = 0;
        int end;
        while ((end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var read = length < buffer.Length ? await socket.ReceiveAsync(buffer.AsMemory(length), Stop.Token) : 0;
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
            var read = await socket.ReceiveAsync(buffer, Stop.Token);
            if (read == 0)
            {
                break;
            }

            remaining -= read;
        }

        return head;
    }
}
