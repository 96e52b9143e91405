using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// How the audit trail names the endpoint an unauthenticated caller was refused at: the method and the
/// route's pattern (<c>GET /v1/batches/{id}</c>), not the path as sent, so that nothing the caller
/// chose (an id, a query string, a path of any length) is written into the ledger.
/// </summary>
public static class RefusedEndpoint
{
    /// <summary>The method and route pattern of <paramref name="ctx"/>'s endpoint; <c>(unrouted)</c> for none.</summary>
    public static string Name(HttpContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        // The well-known methods in their canonical spelling; anything else is not copied into the ledger.
        var method = HttpMethods.GetCanonicalizedValue(ctx.Request.Method);
        if (method is not ("GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD" or "OPTIONS"))
        {
            method = "OTHER";
        }

        return method + " " + (ctx.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern } ? pattern : "(unrouted)");
    }
}
