using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using QuantumEdge.Gateway.Configuration;

namespace QuantumEdge.Node.Tests.Hosting;

public sealed class TraceContextTests
{
    private const string ClientTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    [Theory]
    [InlineData("warning")]
    [InlineData("information")]
    public async Task No_trace_context_reaches_a_backend_even_when_the_caller_sends_one(string level)
    {
        var seen = new ConcurrentQueue<string>();
        await using var backend = await HostileBackend.StartAsync((ctx, _) =>
        {
            foreach (var header in ctx.Request.Headers)
            {
                seen.Enqueue(header.Key.ToLowerInvariant() + ": " + header.Value);
            }

            ctx.Response.ContentType = "application/json";
            return ctx.Response.WriteAsync("""{"id":"c1","object":"chat.completion","created":1,"model":"clinical-7b","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}""");
        });
        var logFile = Path.Combine(Path.GetTempPath(), "qe-trace-" + Guid.NewGuid().ToString("N") + ".log");
        try
        {
            // Not quiet: a node with its logging configured as in production (the request line at information).
            await using var node = await TestNode.StartAsync([new TestNode.Sim("b", TestNode.AllLevels, Url: backend.BaseUrl)],
                configure: c => c with { Logging = new LoggingSettings { Level = level, Format = "json", File = logFile } }, quiet: false);

            using var request = node.Chat(node.Token(), "public");
            request.Headers.Add("traceparent", $"00-{ClientTraceId}-00f067aa0ba902b7-01");
            request.Headers.Add("tracestate", "vendor=abc");
            request.Headers.Add("baggage", "patient=12345");
            using var response = await node.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            File.Delete(logFile);
        }

        var headers = seen.ToArray();
        Assert.Contains(headers, h => h.StartsWith("content-type: application/json", StringComparison.Ordinal));
        Assert.DoesNotContain(headers, h => h.StartsWith("traceparent", StringComparison.Ordinal) || h.StartsWith("tracestate", StringComparison.Ordinal)
            || h.StartsWith("baggage", StringComparison.Ordinal) || h.StartsWith("request-id", StringComparison.Ordinal) || h.Contains(ClientTraceId, StringComparison.Ordinal));
    }
}
