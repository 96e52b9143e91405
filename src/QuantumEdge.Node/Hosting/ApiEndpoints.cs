using System.Diagnostics;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Ledger;

namespace QuantumEdge.Node.Hosting;

/// <summary>Maps the HTTP API onto the gateway's handlers.</summary>
internal static class ApiEndpoints
{
    public static void Map(WebApplication app)
    {
        var proxy = app.Services.GetRequiredService<InferenceHttpAdapter>();
        app.MapPost("/v1/chat/completions", ctx => Infer(proxy, ctx, InferenceRoute.ChatCompletions));
        app.MapPost("/v1/completions", ctx => Infer(proxy, ctx, InferenceRoute.Completions));
        app.MapPost("/v1/embeddings", ctx => Infer(proxy, ctx, InferenceRoute.Embeddings));
        app.MapGet("/v1/models", ListModelsAsync);
        app.MapGet("/health", HealthAsync);
        app.MapFallback(ctx => OpenAiErrorWriter.WriteAsync(ctx,
            GatewayError.NotFound($"no such endpoint: {ctx.Request.Method} {ctx.Request.Path}", code: "unknown_url")));
    }

    // Every inference answer carries the id a client rates it by (POST /v1/feedback).
    private static Task Infer(InferenceHttpAdapter proxy, HttpContext ctx, InferenceRoute route)
    {
        Feedback.CompletionIds.Assign(ctx);
        return proxy.HandleAsync(ctx, route);
    }

    private static async Task ListModelsAsync(HttpContext ctx)
    {
        if (await EndpointAuth.RequireAsync(ctx, RolePermissions.Query).ConfigureAwait(false) is null)
        {
            return;
        }

        var backends = ctx.RequestServices.GetRequiredService<BackendRegistry>();
        var config = ctx.RequestServices.GetRequiredService<NodeConfiguration>();
        var models = backends.Models.Select(m => new ModelEntry(m, "model", 0, config.Node.Id)).ToList();
        await ctx.Response.WriteAsJsonAsync(new ModelList("list", models), GatewayJsonContext.Default.ModelList).ConfigureAwait(false);
    }

    private static async Task HealthAsync(HttpContext ctx)
    {
        var config = ctx.RequestServices.GetRequiredService<NodeConfiguration>();
        var backends = ctx.RequestServices.GetRequiredService<BackendRegistry>();
        var clock = ctx.RequestServices.GetRequiredService<NodeClock>();
        var checks = new List<HealthCheckResult>();
        var healthy = backends.All.Count(b => b.Healthy && !b.CircuitOpen);
        checks.Add(new HealthCheckResult("backends", healthy > 0,
            backends.All.Count == 0 ? "no backends configured" : $"{healthy} of {backends.All.Count} backends available"));
        foreach (var b in backends.All)
        {
            checks.Add(new HealthCheckResult($"backend:{b.Id}", b.Healthy && !b.CircuitOpen,
                b.CircuitOpen ? "circuit open after repeated failures" : b.HealthDetail));
        }

        // Per classification a backend is configured for: a node whose only restricted-cleared backend
        // is down is still "degraded" (200), and this check says that PHI is refused (/health/ready?classification=restricted is 503).
        foreach (var level in ClassificationReadiness.Levels)
        {
            if (backends.All.Any(b => b.Permits(level)))
            {
                var ready = ClassificationReadiness.ReadyBackends(backends, level);
                checks.Add(new HealthCheckResult($"classification:{level.Name()}", ready > 0, ready > 0
                    ? $"{ready} backend(s) cleared for {level.Name()} data available"
                    : $"no healthy backend is cleared for {level.Name()} data: such requests are refused"));
            }
        }

        // A read-only ledger (tampering found) refuses every inference request: the node cannot serve.
        var ledger = ctx.RequestServices.GetRequiredService<IPrivacyLedger>();
        var ledgerWritable = ledger.ReadOnlyReason is null;
        checks.Add(new HealthCheckResult("ledger", ledgerWritable, ledgerWritable
            ? "audit ledger writable"
            : "audit ledger read-only: tampering was detected (run 'quantumedge audit verify') or a commit could not be made durable (restart the node); inference requests are refused"));
        var critical = checks[0].Healthy && ledgerWritable;
        var status = !critical ? "unhealthy" : healthy < backends.All.Count ? "degraded" : "healthy";
        // The node is alive and the switch is deliberate: still 200, but the status and a check say what is refused.
        if (ctx.RequestServices.GetRequiredService<QuantumEdge.Gateway.Emergency.EmergencyControls>() is { } emergency && (emergency.Halted || emergency.LockedDown))
        {
            checks.Add(new HealthCheckResult("emergency", false, emergency.Halted
                ? "inference halted by an administrator ('quantumedge admin resume' ends it)"
                : "locked down: only administrators are served ('quantumedge admin lockdown off' ends it)"));
            status = critical ? emergency.Halted ? "halted" : "locked_down" : status;
        }

        ctx.Response.StatusCode = critical ? 200 : 503;
        var report = new HealthReport(status, config.Node.Id, NodeVersion.Current, Stopwatch.GetElapsedTime(clock.StartedTimestamp).TotalSeconds, checks);
        await ctx.Response.WriteAsJsonAsync(report, GatewayJsonContext.Default.HealthReport).ConfigureAwait(false);
    }
}
