using System.Text.Json;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// Probes for load balancers and orchestrators, unauthenticated like <c>/health</c>:
/// <c>GET /health/live</c> is 200 while the process serves HTTP; <c>GET /health/ready</c> is 200
/// only when the node can serve traffic now (not halted or locked down, ledger writable and reachable, a healthy backend with a closed
/// circuit), and <c>?classification=restricted</c> (or <c>phi</c>, any level or alias) narrows that
/// to backends cleared for the level, so a balancer can send PHI only to nodes that can take it.
/// The body lists the ready backends per classification; it never names backend addresses.
/// </summary>
internal static class ReadinessEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/health/live", ctx =>
        {
            ctx.Response.ContentType = "application/json";
            return ctx.Response.WriteAsync("{\"status\":\"alive\"}");
        });
        app.MapGet("/health/ready", ReadyAsync);
    }

    private static async Task ReadyAsync(HttpContext ctx)
    {
        var backends = ctx.RequestServices.GetRequiredService<BackendRegistry>();
        var ledger = ctx.RequestServices.GetRequiredService<IPrivacyLedger>();
        var resolver = ctx.RequestServices.GetRequiredService<ClassificationResolver>();
        DataClassification? asked = null;
        if (ctx.Request.Query["classification"] is { Count: > 0 } values)
        {
            // Unlike a request's header, an unknown value here is the prober's mistake: say so rather than fail closed.
            if (!resolver.TryResolveLabel(values.ToString(), out var labelled))
            {
                await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.BadRequest(
                    "unknown classification; use restricted, confidential, internal, public or a configured alias", "classification")).ConfigureAwait(false);
                return;
            }

            asked = labelled;
        }

        // security.security_level: traffic below the floor is handled at the floor, so it is only as ready as the floor is.
        var floor = resolver.Minimum;
        if (asked < floor)
        {
            asked = floor;
        }

        var counts = ClassificationReadiness.Levels.ToDictionary(l => l, l => ClassificationReadiness.ReadyBackends(backends, l));
        var ledgerWritable = ledger.ReadOnlyReason is null;
        var availability = ctx.RequestServices.GetRequiredService<LedgerAvailability>();
        // While the shared ledger database is unreachable charged levels are refused; free ones only when configured so.
        var ledgerServes = availability.Available
            || (availability.ServeFreeRequestsWhileUnavailable && !(asked ?? floor).IsPatientData());
        var backendsReady = asked is { } c ? counts[c] > 0 : counts.Where(p => p.Key >= floor).Any(p => p.Value > 0);
        var emergency = ctx.RequestServices.GetRequiredService<QuantumEdge.Gateway.Emergency.EmergencyControls>();
        var ready = ledgerWritable && ledgerServes && backendsReady && !emergency.Halted && !emergency.LockedDown;
        var reason = ready ? null
            : emergency.Halted ? "inference is halted by an administrator"
            : emergency.LockedDown ? "the node is locked down: only administrators are served"
            : !ledgerWritable && ledger.StoppedByStorageFailure ? "the audit ledger is read-only because a commit could not be made durable (a storage failure): every inference request is refused until the storage is repaired and the node restarted"
            : !ledgerWritable ? "the audit ledger is read-only because tampering was detected: every inference request is refused; run 'quantumedge audit verify'"
            : !ledgerServes ? "the privacy ledger's database is unreachable: charged requests get 503 ledger_unavailable until it answers again"
            : asked is { } wanted ? $"no healthy backend is cleared for {wanted.Name()} data"
            : "no backend is healthy";

        ctx.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(ctx.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", ready ? "ready" : "not_ready");
        if (asked is { } a)
        {
            json.WriteString("classification", a.Name());
        }

        if (reason is not null)
        {
            json.WriteString("reason", reason);
        }

        json.WriteBoolean("ledger_writable", ledgerWritable);
        json.WriteBoolean("ledger_available", availability.Available);
        json.WriteStartObject("ready_backends");
        foreach (var (level, n) in counts)
        {
            json.WriteNumber(level.Name(), n);
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }
}
