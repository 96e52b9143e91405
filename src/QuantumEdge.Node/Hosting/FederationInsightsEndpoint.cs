using QuantumEdge.Federation.Http;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Node.Federation;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// <c>GET /federation/v1/insights</c> on the API port (permission <c>measurement</c>): per model and
/// category this node's local figures next to the federation's robust aggregate and how many peers
/// contributed. 404 when federation is not enabled on this node.
/// </summary>
internal static class FederationInsightsEndpoint
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/federation/v1/insights", async ctx =>
        {
            if (await EndpointAuth.RequireAsync(ctx, RolePermissions.Measurement).ConfigureAwait(false) is null)
            {
                return;
            }

            if (ctx.RequestServices.GetService<FederationNode>() is not { } federation)
            {
                await OpenAiErrorWriter.WriteAsync(ctx, new GatewayError(404, "invalid_request_error", "federation_disabled",
                    "federation is not enabled on this node (federation.enabled)")).ConfigureAwait(false);
                return;
            }

            var member = federation.Member;
            var body = InsightsJson.Write(member.Insights(), member.Observations.LocalCells());
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength = body.Length;
            await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
        });
    }
}
