using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Privacy;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// <c>/privacy/status</c> (the "measurement" permission), <c>/privacy/budgets</c> (one's own; admin
/// sees all, filterable) and the audited admin reset.
/// </summary>
internal static class PrivacyEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/privacy/status", StatusAsync);
        app.MapGet("/privacy/budgets", BudgetsAsync);
        app.MapPost("/privacy/budgets/reset", ResetAsync);
    }

    private static async Task StatusAsync(HttpContext ctx)
    {
        if (await EndpointAuth.RequireAsync(ctx, RolePermissions.Measurement).ConfigureAwait(false) is null)
        {
            return;
        }

        var ledger = ctx.RequestServices.GetRequiredService<IPrivacyLedger>();
        var config = ctx.RequestServices.GetRequiredService<NodeConfiguration>();
        var metrics = ctx.RequestServices.GetRequiredService<PrivacyMetrics>();
        var budgets = await ledger.ListBudgetsAsync().ConfigureAwait(false);
        var byDepartment = budgets.GroupBy(b => b.Department ?? "(none)")
            .ToDictionary(g => g.Key, g => Math.Round(g.Sum(b => b.Spent), 9));
        var p = config.Privacy;
        var commits = ledger.CommitStats ?? default;
        var status = new PrivacyStatus(
            new PrivacyPolicyView(p.EpsilonPerQuery, p.Delta, p.CompositionMethod, p.MaxBudgetPerUser, p.DepartmentBudgets, p.BudgetTimeZone,
                ledger.Policy.AffordableQueries(BudgetState.Empty, null), ChargedLevels(config.Security.MinimumClassification)),
            config.Security.SecurityLevel,
            ledger.Window.DayKey(DateTimeOffset.UtcNow),
            budgets.Count(b => b.State.Queries > 0),
            budgets.Sum(b => b.State.Queries),
            byDepartment,
            metrics.Violations.Value,
            new LedgerView(commits.Commits, commits.Operations, ledger.ReadOnlyReason, ledger.NodeIdentity.Fingerprint));
        await ctx.Response.WriteAsJsonAsync(status, NodeJsonContext.Default.PrivacyStatus).ConfigureAwait(false);
    }

    /// <summary>Labels charged on this node: patient data, and everything when the security level raises it there.</summary>
    private static List<string> ChargedLevels(DataClassification floor) =>
        [.. new[] { DataClassification.Restricted, DataClassification.Confidential, DataClassification.Internal, DataClassification.Public }
            .Where(l => (l < floor ? floor : l).IsPatientData()).Select(l => l.Name())];

    private static async Task BudgetsAsync(HttpContext ctx)
    {
        var caller = await EndpointAuth.RequireAsync(ctx, permission: null).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        var ledger = ctx.RequestServices.GetRequiredService<IPrivacyLedger>();
        var roles = ctx.RequestServices.GetRequiredService<RolePermissions>();
        IReadOnlyList<UserBudget> budgets;
        if (roles.Allows(caller.Role, RolePermissions.All))
        {
            var user = ctx.Request.Query["user"].ToString();
            var department = ctx.Request.Query["department"].ToString();
            budgets = await ledger.ListBudgetsAsync(new BudgetFilter
            {
                UserId = user.Length == 0 ? null : user,
                Department = department.Length == 0 ? null : department,
            }).ConfigureAwait(false);
        }
        else
        {
            budgets = [await ledger.GetBudgetAsync(caller.Subject, caller.Department).ConfigureAwait(false)];
        }

        var views = budgets.Select(b => new BudgetView(b.UserId, b.Department, b.DayKey, b.State.Queries,
            Math.Round(b.Spent, 9), b.Budget, Math.Round(b.Remaining, 9))).ToList();
        await ctx.Response.WriteAsJsonAsync(new BudgetList(views), NodeJsonContext.Default.BudgetList).ConfigureAwait(false);
    }

    private static async Task ResetAsync(HttpContext ctx)
    {
        var caller = await EndpointAuth.RequireAsync(ctx, RolePermissions.All).ConfigureAwait(false);
        if (caller is null)
        {
            return;
        }

        UserAction request;
        try
        {
            var body = await RequestBodyReader.ReadAsync(ctx, 16 * 1024).ConfigureAwait(false);
            request = UserActionBody.Parse(body, reasonRequired: true);
        }
        catch (GatewayError e)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, e).ConfigureAwait(false);
            return;
        }

        var ledger = ctx.RequestServices.GetRequiredService<IPrivacyLedger>();
        var reset = await ledger.ResetBudgetAsync(request.User, new AdminActor
        {
            UserId = caller.Subject,
            Role = caller.Role,
            Department = caller.Department,
            RequestId = ctx.TraceIdentifier,
            Reason = request.Reason!,
        }).ConfigureAwait(false);
        var privacyMetrics = ctx.RequestServices.GetRequiredService<PrivacyMetrics>();
        privacyMetrics.AuditEvents.WithLabels("admin").Inc();
        privacyMetrics.ObserveReset(request.User);
        await ctx.Response.WriteAsJsonAsync(new BudgetResetResult(request.User, reset.AuditSeq, reset.DayKey, reset.QueriesReset, Math.Round(reset.EpsilonReleased, 9)), NodeJsonContext.Default.BudgetResetResult).ConfigureAwait(false);
    }
}
