using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using QuantumEdge.Gateway.Memory;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>
/// The node-wide cap on request bodies held at once: with <c>memory_limit: 512Mi</c> bodies may hold
/// 32 MiB together; the body that would cross it is refused at once with 503 and Retry-After, small
/// bodies still pass, and the bytes come back when a request ends, however it ends.
/// </summary>
public sealed class RequestBodyBudgetEndToEndTests : IAsyncLifetime
{
    private const int Declared = 10 * 1024 * 1024;
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync(
        [new TestNode.Sim("open", TestNode.AllLevels)],
        server: s => s with { MaxRequestBodyBytes = 16 * 1024 * 1024 },
        configure: c => c with { Resources = c.Resources with { MemoryLimit = "512Mi" } });

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static string LargeBody(string pad) =>
        "{\"model\":\"clinical-7b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"metadata\":{\"pad\":\"" + pad + "\"}}";

    private RequestBodyBudget Budget => _node.Node.Services.GetRequiredService<RequestBodyBudget>();

    private Task<Socket> StartLargeBodyAsync() => RawHttp.StartChatBodyAsync(_node.Node.ApiAddress, _node.Token(), Declared);

    private async Task WaitForHeldAsync(Func<long, bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition(Budget.Held))
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    [Fact]
    public async Task The_body_that_would_cross_the_cap_gets_503_with_retry_after_and_the_bytes_come_back_when_requests_end()
    {
        Assert.Equal(32L * 1024 * 1024, Budget.Capacity);
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                held.Add(await StartLargeBodyAsync());
                var count = i + 1;
                await WaitForHeldAsync(h => h >= count * (long)Declared);
            }

            // Declared, not sent: the refusal comes before the body is read.
            using (var fourth = await StartLargeBodyAsync())
            {
                var answer = await RawHttp.ReadUntilClosedAsync(fourth);
                Assert.StartsWith("HTTP/1.1 503", answer, StringComparison.Ordinal);
                Assert.Contains("Retry-After: 1\r\n", answer, StringComparison.OrdinalIgnoreCase);
                Assert.Contains("\"code\":\"server_busy\"", answer, StringComparison.Ordinal);
                Assert.Contains("resources.memory_limit", answer, StringComparison.Ordinal);
            }

            // A small body still fits beside the three large ones.
            using (var small = await _node.Http.SendAsync(_node.Chat(_node.Token())))
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, small.StatusCode);
            }

            foreach (var socket in held)
            {
                socket.Dispose();
            }

            held.Clear();
            await WaitForHeldAsync(h => h == 0);
            Assert.Equal(1, _node.Sims[0].Received);

            // With the bytes back, a large body is served again.
            var pad = new string('x', Declared);
            using var again = await _node.Http.SendAsync(TestNode.Raw("/v1/chat/completions",
                LargeBody(pad), _node.Token()));
            Assert.Equal(System.Net.HttpStatusCode.OK, again.StatusCode);
        }
        finally
        {
            foreach (var socket in held)
            {
                socket.Dispose();
            }
        }
    }
}
