using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace QuantumEdge.Node.Tests.Hosting;

/// <summary>
/// A real HTTP backend on loopback that misbehaves as a test says: each path gets a handler, and
/// the server counts what it was asked and what it wrote. <c>GET /v1/models</c> answers a small
/// model list unless a test replaces it.
/// </summary>
public sealed class HostileBackend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private long _bytesWritten;
    private int _completions;

    private HostileBackend(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;
    /// <summary>Body bytes the handlers managed to write (counted after each write returns).</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);
    public int Completions => Volatile.Read(ref _completions);

    public static async Task<HostileBackend> StartAsync(
        Func<HttpContext, HostileBackend, Task> completions,
        Func<HttpContext, HostileBackend, Task>? models = null,
        Func<HttpContext, HostileBackend, Task>? metrics = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var backend = new HostileBackend(app);
        app.MapGet("/v1/models", ctx => (models ?? ModelList)(ctx, backend));
        app.MapPost("/v1/chat/completions", ctx =>
        {
            Interlocked.Increment(ref backend._completions);
            return completions(ctx, backend);
        });
        if (metrics is not null)
        {
            app.MapGet("/metrics", ctx => metrics(ctx, backend));
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        backend.BaseUrl = new Uri(address.TrimEnd('/') + "/v1/");
        return backend;
    }

    /// <summary>Writes and flushes, counting the bytes once the connection took them; false once it is closed.</summary>
    public async Task<bool> WriteAsync(HttpContext ctx, ReadOnlyMemory<byte> data)
    {
        // Kestrel turns writes after a disconnect into no-ops; the flush result says so at once,
        // where the RequestAborted callback may run late on a busy machine.
        var result = await ctx.Response.BodyWriter.WriteAsync(data, ctx.RequestAborted);
        if (result.IsCompleted || result.IsCanceled || ctx.RequestAborted.IsCancellationRequested)
        {
            return false;
        }

        Interlocked.Add(ref _bytesWritten, data.Length);
        return true;
    }

    /// <summary>Writes <paramref name="chunk"/> again and again until <paramref name="limit"/> bytes or the reader goes away.</summary>
    public async Task WriteEndlesslyAsync(HttpContext ctx, byte[] chunk, long limit)
    {
        try
        {
            for (long sent = 0; sent < limit && await WriteAsync(ctx, chunk); sent += chunk.Length)
            {
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The gateway stopped reading and closed the connection: what a bounded reader should do.
        }
    }

    /// <summary>Waits until the gateway gives up on the request (it closes the connection).</summary>
    public static async Task HangAsync(HttpContext ctx)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static Task ModelList(HttpContext ctx, HostileBackend _)
    {
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync("""{"object":"list","data":[{"id":"clinical-7b","object":"model"}]}""");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
