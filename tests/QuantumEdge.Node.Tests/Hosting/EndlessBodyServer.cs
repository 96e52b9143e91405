using System.Net.Sockets;
using System.Text;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>
/// A raw-socket HTTP/1.1 backend whose answer to the paths it is told never ends (the body runs
/// until the connection closes); other paths get a small model list. Written bytes are counted
/// when the kernel accepts them, so the count shows how much a reader really took, which Kestrel
/// cannot show (it turns writes after a disconnect into silent no-ops).
/// </summary>
public sealed class EndlessBodyServer(string endlessPath, byte[] chunk) : RawSocketServer
{
    private long _bytesWritten;

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    protected override async Task ServeAsync(Socket socket)
    {
        var head = await ReadHeadAsync(socket);
        var path = head.Split(' ') is [_, var p, ..] ? p : "";
        if (path.EndsWith(endlessPath, StringComparison.Ordinal))
        {
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"u8.ToArray(), Stop.Token);
            while (true)
            {
                Interlocked.Add(ref _bytesWritten, await socket.SendAsync(chunk, Stop.Token));
            }
        }

        await socket.SendAsync(ModelListAnswer(), Stop.Token);
    }

    private async Task<string> ReadHeadAsync(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), Stop.Token);
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
}
