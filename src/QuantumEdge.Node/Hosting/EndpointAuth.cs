using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Node.Hosting;

/// <summary>Bearer-token authentication and one permission check for the non-inference endpoints.</summary>
internal static class EndpointAuth
{
    /// <summary>The caller, or null after an OpenAI-shaped 401/403 has been written.</summary>
    public static async Task<CallerIdentity?> RequireAsync(HttpContext ctx, string? permission)
    {
        var auth = ctx.RequestServices.GetRequiredService<JwtAuthenticator>();
        var roles = ctx.RequestServices.GetRequiredService<RolePermissions>();
        try
        {
            var caller = await auth.AuthenticateAsync(ctx.Request.Headers.Authorization).ConfigureAwait(false);
            if (permission is not null && !roles.Allows(caller.Role, permission))
            {
                await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.Forbidden($"role '{caller.Role}' lacks the '{permission}' permission")).ConfigureAwait(false);
                return null;
            }

            return caller;
        }
        catch (TokenRejectedException e)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.Unauthorized(e.Message)).ConfigureAwait(false);
            return null;
        }
    }
}
