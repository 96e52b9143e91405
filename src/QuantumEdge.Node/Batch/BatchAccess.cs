using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Batch;

/// <summary>
/// Who may use the Files and Batch API: <c>planning</c> any size, <c>basic_planning</c> up to
/// <c>batch.basic_planning_max_lines</c> lines, others 403. Files and batches belong to their
/// creator; an admin (<c>all</c>) sees everyone's. Someone else's id answers 404, as an unknown one does.
/// </summary>
internal sealed record BatchCaller(CallerIdentity Identity, bool Admin, int MaxLines, string LinesLimitName)
{
    public const string BasicPlanning = "basic_planning";

    public bool Sees(string owner) => Admin || owner == Identity.Subject;

    /// <summary>The caller, or null after the 401/403 was written.</summary>
    public static async Task<BatchCaller?> RequireAsync(HttpContext ctx)
    {
        var caller = await EndpointAuth.RequireAsync(ctx, null).ConfigureAwait(false);
        if (caller is null)
        {
            return null;
        }

        var roles = ctx.RequestServices.GetRequiredService<RolePermissions>();
        var settings = ctx.RequestServices.GetRequiredService<NodeConfiguration>().Batch;
        if (roles.Allows(caller.Role, RolePermissions.Planning))
        {
            return new BatchCaller(caller, roles.Allows(caller.Role, RolePermissions.All), settings.MaxLines, "batch.max_lines");
        }

        if (roles.Allows(caller.Role, BasicPlanning))
        {
            return new BatchCaller(caller, false, Math.Min(settings.MaxLines, settings.BasicPlanningMaxLines), "batch.basic_planning_max_lines for basic_planning");
        }

        await ForbiddenAudit.RecordAsync(ctx, caller, RolePermissions.Planning + " or " + BasicPlanning).ConfigureAwait(false);
        await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.Forbidden(
            $"role '{caller.Role}' lacks the 'planning' or 'basic_planning' permission the Files and Batch API need")).ConfigureAwait(false);
        return null;
    }
}
