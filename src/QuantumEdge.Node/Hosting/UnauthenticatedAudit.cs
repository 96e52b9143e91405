using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// A missing, expired, revoked or forged token at an admin, privacy, batch or feedback endpoint is
/// audited as the inference path audits it: one record each up to the per-address allowance, then
/// counted into that address's summary record (<see cref="RefusalSummaryWriter"/>), so that a token
/// sprayed at <c>/admin/halt</c> is on the record without letting a flood fill the ledger. The record
/// names the method and route pattern, never the path as sent or a query string.
/// </summary>
internal static class UnauthenticatedAudit
{
    /// <summary>Counts the refusal and audits it on its own or into its address's summary; never throws for the ledger's sake.</summary>
    /// <param name="ctx">The refused request.</param>
    /// <param name="code">Why its token was rejected (<c>invalid_token</c>, <c>token_revoked</c>…).</param>
    public static async Task RecordAsync(HttpContext ctx, string code)
    {
        ctx.RequestServices.GetService<GatewayMetrics>()?.Refusals.WithLabels(code).Inc();
        var endpoint = RefusedEndpoint.Name(ctx);
        if (ctx.RequestServices.GetService<RefusalSummaryWriter>() is { } summaries
            && !summaries.Note(RefusalSource.Of(ctx.Connection.RemoteIpAddress), endpoint))
        {
            return;
        }

        if (ctx.RequestServices.GetService<IPrivacyLedger>() is not { } ledger)
        {
            return;
        }

        try
        {
            await ledger.RecordAsync(new AuditEntry
            {
                EventType = AuditEventType.Request,
                RequestId = ctx.TraceIdentifier,
                UserId = "(unauthenticated)",
                Decision = "refused:" + code,
                HttpStatus = StatusCodes.Status401Unauthorized,
                Detail = "endpoint=" + AuditText.DetailValue(endpoint),
            }, CommitTiming.Deferrable, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LedgerException or OperationCanceledException or ObjectDisposedException)
        {
            // The refusal stands either way; a ledger that cannot take the record (or is closed by a shutdown) is reported by its own health check.
            ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(UnauthenticatedAudit))
                .LogWarning("an unauthenticated request could not be audited: {Problem}", e.Message);
        }
    }
}
