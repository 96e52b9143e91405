using System.Net;
using System.Text;

namespace QuantumEdge.Gateway.Tests.Forwarding;

/// <summary>An in-memory backend transport: each request gets the answer the test scripted, with no socket anywhere.</summary>
internal sealed class ScriptedHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return answer(request, cancellationToken);
    }

    public static Task<HttpResponseMessage> Json(HttpStatusCode status, string json) =>
        Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    public static async Task<HttpResponseMessage> Hang(CancellationToken ct)
    {
        await Task.Delay(Timeout.Infinite, ct);
        throw new InvalidOperationException("unreachable");
    }
}

/// <summary>A response body that yields the given pieces and then fails as a dropped connection does.</summary>
internal sealed class BreakingStream(params byte[][] pieces) : BackendBodyStream
{
    private int _next;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_next == pieces.Length)
        {
            throw new IOException("connection reset by the backend");
        }

        var piece = pieces[_next++];
        piece.CopyTo(buffer);
        return ValueTask.FromResult(piece.Length);
    }
}
