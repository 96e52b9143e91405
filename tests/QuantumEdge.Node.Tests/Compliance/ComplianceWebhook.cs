using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace QuantumEdge.Node.Tests.Compliance;

/// <summary>A local HTTP listener standing in for the compliance team's webhook: records what it receives and fails the first calls on request.</summary>
internal sealed class ComplianceWebhook : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;

    private ComplianceWebhook(WebApplication app, int failFirst)
    {
        _app = app;
        _failuresLeft = failFirst;
    }

    public sealed record Delivery(string Body, string? Signature, string? Event);

    public ConcurrentQueue<Delivery> Received { get; } = new();
    public int Attempts;
    public string Url { get; private set; } = "";

    public static async Task<ComplianceWebhook> StartAsync(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var hook = new ComplianceWebhook(app, failFirst);
        app.MapPost("/hook", async ctx =>
        {
            Interlocked.Increment(ref hook.Attempts);
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Decrement(ref hook._failuresLeft) >= 0)
            {
                ctx.Response.StatusCode = 500;
                return;
            }

            hook.Received.Enqueue(new Delivery(body, ctx.Request.Headers["X-QuantumEdge-Signature"], ctx.Request.Headers["X-QuantumEdge-Event"]));
            ctx.Response.StatusCode = 204;
        });
        await app.StartAsync();
        hook.Url = app.Urls.First() + "/hook";
        return hook;
    }

    public async Task<Delivery> WaitForAsync(Func<Delivery, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            if (Received.FirstOrDefault(match) is { } d)
            {
                return d;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
