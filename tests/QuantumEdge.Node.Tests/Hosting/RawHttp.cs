using System.Net.Sockets;
using System.Text;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>HTTP over a bare socket, for requests no HTTP client sends: bodies that lie about their length or never end.</summary>
internal static class RawHttp
{
    public static Task<Socket> ConnectAsync(TestNode node) => ConnectAsync(node.Node.ApiAddress);

    public static async Task<Socket> ConnectAsync(string api)
    {
        var uri = new Uri(api);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(uri.Host, uri.Port);
        return socket;
    }

    /// <summary>Opens a public chat request that declares a body of <paramref name="declared"/> bytes and sends only its first few.</summary>
    public static async Task<Socket> StartChatBodyAsync(string api, string token, long declared)
    {
        var socket = await ConnectAsync(api);
        var head = "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Data-Classification: public\r\n"
            + $"Authorization: Bearer {token}\r\nContent-Length: {declared}\r\n\r\n" + """{"model":"clinical-7b","messages":[""";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        return socket;
    }

    /// <summary>Reads until the server closes the connection (or 30 s pass, which fails the test).</summary>
    public static async Task<string> ReadUntilClosedAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the server kept the connection open: " + Encoding.ASCII.GetString(received.ToArray()));
        }
        catch (SocketException)
        {
            // Closed by a reset: closed all the same.
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }
}
