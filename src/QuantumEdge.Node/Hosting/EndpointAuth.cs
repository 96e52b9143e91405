using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Emergency;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// Bearer-token authentication and one permission check for the non-inference endpoints; both kinds of
/// refusal are audited (<see cref="UnauthenticatedAudit"/>, <see cref="ForbiddenAudit"/>).
/// </summary>
internal static class EndpointAuth
{
    /// <summary>
    /// The caller, or null after an OpenAI-shaped 401/403 (or the lockdown's or halt's 503) has been written;
    /// <paramref name="inference"/> marks inference work, refused while the node is halted.
    /// </summary>
    public static async Task<CallerIdentity?> RequireAsync(HttpContext ctx, string? permission, bool inference = false)
    {
        var auth = ctx.RequestServices.GetRequiredService<JwtAuthenticator>();
        var roles = ctx.RequestServices.GetRequiredService<RolePermissions>();
        try
        {
            var caller = await auth.AuthenticateAsync(ctx.Request.Headers.Authorization).ConfigureAwait(false);
            if (ctx.RequestServices.GetService<EmergencyControls>()?.Refusal(roles.Allows(caller.Role, RolePermissions.All), inference) is { } refusal)
            {
                await OpenAiErrorWriter.WriteAsync(ctx, refusal).ConfigureAwait(false);
                return null;
            }

            if (permission is not null && !roles.Allows(caller.Role, permission))
            {
                await ForbiddenAudit.RecordAsync(ctx, caller, permission).ConfigureAwait(false);
                await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.Forbidden($"role '{caller.Role}' lacks the '{permission}' permission")).ConfigureAwait(false);
                return null;
            }

            return caller;
        }
        catch (TokenRejectedException e)
        {
            await UnauthenticatedAudit.RecordAsync(ctx, e.Code).ConfigureAwait(false);
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.Unauthorized(e.Message, e.Code)).ConfigureAwait(false);
            return null;
        }
    }
}
