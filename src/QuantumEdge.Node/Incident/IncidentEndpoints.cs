using System.Globalization;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Incident;

/// <summary>
/// <c>GET /admin/incident?since=SECONDS</c> (permission <c>all</c>) and <c>GET /local/incident?since=SECONDS</c>
/// (the admin socket, for <c>quantumedge incident collect</c>): the signed bundle in the body, its
/// signature in the <see cref="IncidentBundle.SignatureHeader"/> header. Each collection is audited.
/// </summary>
internal static class IncidentEndpoints
{
    /// <summary>The longest window one bundle covers.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(90);

    public static void MapAdmin(WebApplication app) =>
        app.MapGet("/admin/incident", async ctx =>
        {
            if (await EndpointAuth.RequireAsync(ctx, RolePermissions.All).ConfigureAwait(false) is { } caller)
            {
                await ServeAsync(ctx, ctx.RequestServices.GetRequiredService<IncidentBundle>(), caller.Subject).ConfigureAwait(false);
            }
        });

    public static void MapLocal(WebApplication local, IncidentBundle bundle) =>
        local.MapGet("/local/incident", ctx => ServeAsync(ctx, bundle, Emergency.EmergencyEndpoints.SocketActor));

    private static async Task ServeAsync(HttpContext ctx, IncidentBundle bundle, string actor)
    {
        var text = ctx.Request.Query["since"].ToString();
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0 || seconds > MaxWindow.TotalSeconds)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.BadRequest(
                $"'since' must be a number of seconds between 1 and {MaxWindow.TotalSeconds:0}", "since")).ConfigureAwait(false);
            return;
        }

        var ledger = bundle.Ledger;
        var to = DateTimeOffset.UtcNow;
        var path = Path.Combine(bundle.WorkDirectory, $"incident-{Guid.NewGuid():N}.tmp");
        try
        {
            var signature = await bundle.WriteAsync(path, to.AddSeconds(-seconds), to, ctx.RequestAborted).ConfigureAwait(false);
            try
            {
                await ledger.RecordAsync(new AuditEntry
                {
                    EventType = AuditEventType.Admin,
                    RequestId = ctx.TraceIdentifier,
                    UserId = actor,
                    Role = "admin",
                    Decision = "admin:incident_collected",
                    HttpStatus = 200,
                    Detail = string.Create(CultureInfo.InvariantCulture, $"since_seconds={seconds}"),
                }, ctx.RequestAborted).ConfigureAwait(false);
            }
            catch (LedgerException)
            {
                // A read-only ledger is a reason to collect a bundle, not to refuse one; its verification result is inside.
            }

            ctx.Response.ContentType = "application/json";
            ctx.Response.Headers[IncidentBundle.SignatureHeader] = signature;
            await ctx.Response.SendFileAsync(path, ctx.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
