using QuantumEdge.Gateway.Auth;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// An authenticated caller refused for lacking a permission is a decision about a known person, so
/// it gets its own audit record (a doctor's token trying <c>/admin/halt</c> is what a security officer
/// looks for), as the inference path audits its refusals. The record names the endpoint and the
/// permission, never a query string (it can carry a user id).
/// </summary>
internal static class ForbiddenAudit
{
    public static async Task RecordAsync(HttpContext ctx, CallerIdentity caller, string needs)
    {
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
                UserId = caller.Subject,
                Role = caller.Role,
                Department = caller.Department,
                Decision = AuditDecisions.RefusedForbidden,
                HttpStatus = StatusCodes.Status403Forbidden,
                Detail = "endpoint=" + AuditText.DetailValue(ctx.Request.Method + " " + ctx.Request.Path.Value) + ";needs=" + AuditText.DetailValue(needs),
            }, CommitTiming.Deferrable, ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LedgerException or OperationCanceledException)
        {
            // The refusal stands either way; a ledger that cannot take the record is reported by its own health check.
            ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ForbiddenAudit))
                .LogWarning("a forbidden request could not be audited: {Problem}", e.Message);
        }
    }
}
