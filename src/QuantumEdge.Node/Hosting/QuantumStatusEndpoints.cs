using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Planning;
using QuantumEdge.Gateway.Routing;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// <c>/quantum/status</c>, <c>/quantum/coherence</c>, <c>/quantum/optimization/status</c>: reading the
/// planner's state, which is the deployment guide's "measurement" permission.
/// </summary>
internal static class QuantumStatusEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/quantum/status", ctx => WithPlanner(ctx, QuantumEndpoints.WriteStatusAsync));
        app.MapGet("/quantum/coherence", ctx => WithPlanner(ctx, QuantumEndpoints.WriteCoherenceAsync));
        app.MapGet("/quantum/optimization/status", ctx => WithPlanner(ctx, QuantumEndpoints.WriteOptimizationStatusAsync));
    }

    private static async Task WithPlanner(HttpContext ctx, Func<HttpContext, QuantumRoutePlanner, Task> write)
    {
        if (await EndpointAuth.RequireAsync(ctx, RolePermissions.Measurement).ConfigureAwait(false) is null)
        {
            return;
        }

        if (ctx.RequestServices.GetRequiredService<IRoutePlanner>() is not QuantumRoutePlanner planner)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.Unavailable(
                "the quantum planner is off on this node (quantum_planning.router: least_loaded)", "planner_disabled")).ConfigureAwait(false);
            return;
        }

        await write(ctx, planner).ConfigureAwait(false);
    }
}
