using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Budgets;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// <c>GET /privacy/subject?user=U</c> (export) and <c>POST /privacy/subject/erase</c> (<c>{"user","reason"}</c>):
/// GDPR data-subject access and erasure, permission <c>all</c>, 403 <c>gdpr_disabled</c> while
/// <c>compliance.enable_gdpr_compliance</c> is false.
/// </summary>
internal static class DataSubjectEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/privacy/subject", ExportAsync);
        app.MapPost("/privacy/subject/erase", EraseAsync);
    }

    private static async Task ExportAsync(HttpContext ctx)
    {
        if (await AdmitAsync(ctx).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        var user = ctx.Request.Query["user"].ToString();
        if (DataSubjectActions.BadUser(user) is { } bad)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.BadRequest(bad, "user")).ConfigureAwait(false);
            return;
        }

        var json = await DataSubjectActions.ExportAsync(ctx.RequestServices.GetRequiredService<IPrivacyLedger>(), user,
            Actor(ctx, caller, ctx.Request.Query["reason"]), ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(json, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static async Task EraseAsync(HttpContext ctx)
    {
        if (await AdmitAsync(ctx).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        UserAction request;
        try
        {
            var body = await RequestBodyReader.ReadAsync(ctx, 16 * 1024).ConfigureAwait(false);
            request = UserActionBody.Parse(body, reasonRequired: false);
        }
        catch (GatewayError e)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, e).ConfigureAwait(false);
            return;
        }

        var json = await DataSubjectActions.EraseAsync(ctx.RequestServices.GetRequiredService<IPrivacyLedger>(), request.User,
            Actor(ctx, caller, request.Reason), ctx.RequestAborted).ConfigureAwait(false);
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(json, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<CallerIdentity?> AdmitAsync(HttpContext ctx)
    {
        var caller = await EndpointAuth.RequireAsync(ctx, RolePermissions.All).ConfigureAwait(false);
        if (caller is not null && DataSubjectActions.Refusal(ctx.RequestServices.GetRequiredService<NodeConfiguration>()) is { } refusal)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.Forbidden(refusal, "gdpr_disabled")).ConfigureAwait(false);
            return null;
        }

        return caller;
    }

    private static AdminActor Actor(HttpContext ctx, CallerIdentity caller, string? reason) => new()
    {
        UserId = caller.Subject,
        Role = caller.Role,
        Department = caller.Department,
        RequestId = ctx.TraceIdentifier,
        Reason = DataSubjectActions.Reason(reason),
    };
}
