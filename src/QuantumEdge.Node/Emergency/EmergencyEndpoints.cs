using System.Globalization;
using System.Text.Json;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Emergency;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Emergency;

/// <summary>
/// The emergency operations over HTTP (<c>/admin/…</c>, permission <c>all</c>, audited under the
/// caller) and on the local admin socket (<c>/local/admin/…</c>, audited as <c>admin-socket</c>):
/// <c>GET emergency</c> (the state), <c>POST lockdown</c> <c>{"enabled"}</c>, <c>POST halt</c>,
/// <c>POST resume</c>, <c>POST revoke-tokens</c> <c>{"sub", "before"}</c>; each takes a <c>reason</c>.
/// </summary>
internal static class EmergencyEndpoints
{
    /// <summary>The actor the local socket's actions are audited under (the socket is 0600: service account or root).</summary>
    public const string SocketActor = "admin-socket";

    public static void MapAdmin(WebApplication app)
    {
        Map(app, "/admin", async ctx =>
        {
            var caller = await EndpointAuth.RequireAsync(ctx, RolePermissions.All).ConfigureAwait(false);
            return caller is null ? null : new AdminActor
            {
                UserId = caller.Subject,
                Role = caller.Role,
                Department = caller.Department,
                RequestId = ctx.TraceIdentifier,
            };
        }, ctx => ctx.RequestServices.GetRequiredService<EmergencyActions>());
    }

    public static void MapLocal(WebApplication local, EmergencyActions actions)
    {
        Map(local, "/local/admin", ctx => Task.FromResult<AdminActor?>(new AdminActor
        {
            UserId = SocketActor,
            Role = "admin",
            RequestId = "local:" + ctx.TraceIdentifier,
        }), _ => actions);
    }

    private static void Map(WebApplication app, string prefix, Func<HttpContext, Task<AdminActor?>> authorize, Func<HttpContext, EmergencyActions> actions)
    {
        app.MapGet(prefix + "/emergency", async ctx =>
        {
            if (await authorize(ctx).ConfigureAwait(false) is not null)
            {
                await WriteAsync(ctx, actions(ctx).Controls, new EmergencyOutcome(200, actions(ctx).Controls.State, false)).ConfigureAwait(false);
            }
        });
        app.MapPost(prefix + "/lockdown", Handler(authorize, actions, ["enabled", "reason"], (a, r, actor, ct) =>
            r.Enabled is { } on ? a.LockdownAsync(on, actor, ct) : Task.FromResult(Invalid("'enabled' (true or false) is required", a))));
        app.MapPost(prefix + "/halt", Handler(authorize, actions, ["reason"], (a, _, actor, ct) => a.HaltAsync(true, actor, ct)));
        app.MapPost(prefix + "/resume", Handler(authorize, actions, ["reason"], (a, _, actor, ct) => a.HaltAsync(false, actor, ct)));
        app.MapPost(prefix + "/revoke-tokens", Handler(authorize, actions, ["sub", "before", "reason"],
            (a, r, actor, ct) => a.RevokeAsync(r.Subject, r.Before, actor, ct)));
        app.MapPost(prefix + "/notify-compliance", Handler(authorize, actions, ["severity", "message", "reason"],
            (a, r, actor, ct) => a.NotifyComplianceAsync(r.Severity, r.Message, actor, ct)));
    }

    private static RequestDelegate Handler(Func<HttpContext, Task<AdminActor?>> authorize, Func<HttpContext, EmergencyActions> actions, string[] fields, Act act) =>
        ctx => RunAsync(ctx, authorize, actions, fields, act);

    private static async Task RunAsync(HttpContext ctx, Func<HttpContext, Task<AdminActor?>> authorize, Func<HttpContext, EmergencyActions> actions, string[] fields,
        Act act)
    {
        if (await authorize(ctx).ConfigureAwait(false) is not { } actor)
        {
            return;
        }

        byte[] body;
        try
        {
            // No body at all (curl -X POST) is a request without options; the reader refuses empty JSON bodies.
            body = ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false
                ? []
                : await RequestBodyReader.ReadAsync(ctx, EmergencyRequest.MaxBodyBytes).ConfigureAwait(false);
        }
        catch (GatewayError e)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, e).ConfigureAwait(false);
            return;
        }

        var (request, problem) = EmergencyRequest.Parse(body, fields);
        var a = actions(ctx);
        var outcome = request is null
            ? Invalid(problem!, a)
            : await act(a, request, actor with { Reason = request.Reason }, ctx.RequestAborted).ConfigureAwait(false);
        await WriteAsync(ctx, a.Controls, outcome).ConfigureAwait(false);
    }

    private delegate Task<EmergencyOutcome> Act(EmergencyActions actions, EmergencyRequest request, AdminActor actor, CancellationToken ct);

    private static EmergencyOutcome Invalid(string problem, EmergencyActions a) => EmergencyOutcome.Refused(400, "invalid_request", problem, a.Controls.State);

    private static async Task WriteAsync(HttpContext ctx, EmergencyControls controls, EmergencyOutcome outcome)
    {
        if (outcome.Error is { } error)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, new GatewayError(outcome.Status, outcome.Status >= 500 ? "server_error" : "invalid_request_error", outcome.ErrorCode, error)
            {
                RetryAfterSeconds = outcome.RetryAfterSeconds,
            }).ConfigureAwait(false);
            return;
        }

        ctx.Response.StatusCode = outcome.Status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-store";
        await using var json = new Utf8JsonWriter(ctx.Response.Body, new JsonWriterOptions { Indented = true });
        var s = outcome.State;
        json.WriteStartObject();
        json.WriteBoolean("changed", outcome.Changed);
        json.WriteBoolean("locked_down", controls.LockedDown);
        json.WriteString("lockdown_source", controls.ConfigLockdown ? "config" : controls.StateProblem is not null ? "distrusted_state" : s.LockedDown ? "admin" : null);
        Time(json, "locked_down_since", s.LockedDownSince);
        json.WriteBoolean("halted", s.Halted);
        Time(json, "halted_since", s.HaltedSince);
        Time(json, "all_tokens_revoked_before", s.AllRevokedBefore);
        json.WriteNumber("users_revoked", s.SubjectsRevokedBefore.Count);
        json.WriteString("state_problem", controls.StateProblem);
        if (outcome.AuditSeq is { } seq)
        {
            json.WriteNumber("audit_seq", seq);
        }

        if (outcome.AuditProblem is { } auditProblem)
        {
            json.WriteString("audit_problem", "not audited: " + auditProblem);
        }

        json.WriteEndObject();
        await json.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
    }

    private static void Time(Utf8JsonWriter json, string name, DateTimeOffset? t)
    {
        if (t is { } v)
        {
            json.WriteString(name, v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
