using System.Net.Sockets;
using System.Text;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>Bodies that lie about their length, over raw sockets: a client error, never a 500, and no reading of what was only declared.</summary>
public sealed class RequestBodyTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync([new TestNode.Sim("open", TestNode.AllLevels)]);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static string Head(long contentLength, string? token) =>
        "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Data-Classification: public\r\n"
        + (token is null ? "" : $"Authorization: Bearer {token}\r\n")
        + $"Content-Length: {contentLength}\r\n\r\n";

    [Fact]
    public async Task A_body_cut_short_by_a_closing_client_is_not_a_server_error()
    {
        using (var socket = await RawHttp.ConnectAsync(_node))
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(Head(1000, _node.Token()) + """{"model":"clinical-7b","""));
            // The client is done sending: the body will never be complete (Kestrel takes the half-close as the client leaving).
            socket.Shutdown(SocketShutdown.Send);
            await RawHttp.ReadUntilClosedAsync(socket);
        }

        var records = await AuditTrail.WaitForAsync(_node, r => r.Entry.HttpStatus != 0);
        var statuses = records.Where(r => r.Entry.HttpStatus != 0).Select(r => $"{r.Entry.HttpStatus} {r.Entry.Decision}").ToList();
        // Where the abort is seen (reading the body, or after admission) decides between a 400 and a
        // 499 and the decision's wording; what matters is one record and never a server error.
        Assert.True(statuses.Count == 1 && statuses[0] is "400 refused:incomplete_body" or "499 admitted" or "499 failed", string.Join("; ", statuses));
        Assert.Equal(0, _node.Sims[0].Received);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "doctor")]
    [InlineData("/v1/feedback", "doctor")]
    [InlineData("/privacy/budgets/reset", "admin")]
    [InlineData("/v1/batches", "admin")]
    public async Task A_chunk_size_too_large_to_read_is_a_400_naming_the_framing_not_a_500(string path, string role)
    {
        // Kestrel reports this one as a plain IOException around an OverflowException, not as a bad request.
        using var socket = await RawHttp.ConnectAsync(_node);
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Data-Classification: public\r\n"
            + $"Authorization: Bearer {_node.Token(role: role, sub: "chunk-" + role)}\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "ffffffffffffffffffff\r\nab\r\n"));
        var answer = await ReadOneResponseAsync(socket);
        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        Assert.Contains("\"malformed_body\"", answer, StringComparison.Ordinal);
        Assert.Contains("chunked framing is malformed", answer, StringComparison.Ordinal);
        Assert.Equal(0, _node.Sims[0].Received);
    }

    [Fact]
    public async Task A_body_that_stops_arriving_is_408()
    {
        using var socket = await RawHttp.ConnectAsync(_node);
        await socket.SendAsync(Encoding.ASCII.GetBytes(Head(1000, _node.Token()) + """{"model":"clinical-7b","""));

        // Kestrel's minimum body data rate (after its grace period) ends the wait, not a 6 s server error.
        var answer = await RawHttp.ReadUntilClosedAsync(socket);
        Assert.StartsWith("HTTP/1.1 408 ", answer, StringComparison.Ordinal);
        Assert.Equal(0, _node.Sims[0].Received);
    }

    [Fact]
    public async Task A_refusal_before_the_body_closes_the_connection_instead_of_reading_a_declared_gigabyte()
    {
        using var socket = await RawHttp.ConnectAsync(_node);
        await socket.SendAsync(Encoding.ASCII.GetBytes(Head(1L << 30, token: null) + "{"));
        var head = new byte[4096];
        var received = await socket.ReceiveAsync(head);
        var answer = Encoding.ASCII.GetString(head, 0, received);
        Assert.StartsWith("HTTP/1.1 401 ", answer, StringComparison.Ordinal);
        Assert.Contains("Connection: close", answer, StringComparison.OrdinalIgnoreCase);

        // The client keeps sending the body it declared; the server must stop taking it, not read and discard 1 GiB.
        var chunk = new byte[64 * 1024];
        long sent = 0;
        try
        {
            while (sent < 256L * 1024 * 1024)
            {
                sent += await socket.SendAsync(chunk);
            }
        }
        catch (SocketException)
        {
            // Reset by the server: what it should do.
        }

        Assert.True(sent < 32L * 1024 * 1024, $"the server took {sent} bytes of a body it had refused");
    }

    [Fact]
    public async Task A_refusal_after_the_whole_body_keeps_the_connection()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_node.Node.ApiAddress) };
        using var response = await http.SendAsync(TestNode.Raw("/v1/chat/completions", """{"model":"nope","messages":[{"role":"user","content":"x"}]}""", _node.Token()));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.ConnectionClose ?? false);
    }

    [Fact]
    public async Task A_body_read_on_one_request_does_not_count_for_the_next_on_the_same_connection()
    {
        using var socket = await RawHttp.ConnectAsync(_node);
        var body = """{"model":"nope","messages":[{"role":"user","content":"x"}]}""";
        await socket.SendAsync(Encoding.ASCII.GetBytes(Head(body.Length, _node.Token()) + body));
        var first = await ReadOneResponseAsync(socket);
        Assert.StartsWith("HTTP/1.1 404 ", first, StringComparison.Ordinal);
        Assert.DoesNotContain("Connection: close", first, StringComparison.OrdinalIgnoreCase);

        // Kept alive: the second request is refused before its body is read, so the connection must close.
        await socket.SendAsync(Encoding.ASCII.GetBytes(Head(1L << 20, token: null) + "{"));
        var second = await ReadOneResponseAsync(socket);
        Assert.StartsWith("HTTP/1.1 401 ", second, StringComparison.Ordinal);
        Assert.Contains("Connection: close", second, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Reads one response: to its Content-Length, or to the last chunk of a chunked body.</summary>
    private static async Task<string> ReadOneResponseAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            var text = Encoding.ASCII.GetString(received.ToArray());
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var length = text[..end].Split("\r\n").Select(l => l.Split(':', 2))
                    .Where(p => p.Length == 2 && p[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(p => (int?)int.Parse(p[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).SingleOrDefault();
                if (length is { } n && received.Count >= end + 4 + n)
                {
                    return text[..(end + 4 + n)];
                }

                var last = text.IndexOf("\r\n0\r\n\r\n", end, StringComparison.Ordinal);
                if (length is null && last >= 0)
                {
                    return text[..(last + 7)];
                }
            }

            var read = await socket.ReceiveAsync(buffer, deadline.Token);
            Assert.True(read > 0, "the server closed the connection before the whole response: " + text);
            received.AddRange(buffer.AsSpan(0, read));
        }
    }
}
