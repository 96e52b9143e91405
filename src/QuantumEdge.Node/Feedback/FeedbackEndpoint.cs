using System.Globalization;
using System.Text.Json;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;
using QuantumEdge.Gateway.Privacy;
using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Node.Federation;
using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Feedback;

/// <summary>
/// <c>POST /v1/feedback</c> (permission <c>query</c>): a clinician's app rates one answer this node
/// gave its user. Body <c>{"completion_id", "score" (-1..1), "category"}</c>; the completion id is
/// the <c>X-QuantumEdge-Completion-Id</c> header of the answer. One rating per completion (409 on
/// the second, also after a restart); a completion of another user is unknown (400) unless the
/// caller is an administrator (permission <c>all</c>). The rating is audited (decision
/// <c>feedback</c>, request id = completion id, the score and category in the detail) before the
/// answer, and with federation on it is counted in the observation window's feedback cells of the
/// completion's model and the category, so the node's DP releases carry it.
/// </summary>
internal static class FeedbackEndpoint
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/v1/feedback", HandleAsync);
    }

    private static async Task HandleAsync(HttpContext ctx)
    {
        if (await EndpointAuth.RequireAsync(ctx, RolePermissions.Query, inference: true).ConfigureAwait(false) is not { } caller)
        {
            return;
        }

        var services = ctx.RequestServices;
        var config = services.GetRequiredService<NodeConfiguration>();
        var ledger = services.GetRequiredService<IPrivacyLedger>();
        var book = services.GetRequiredService<CompletionBook>();
        byte[]? body;
        try
        {
            body = await ReadBoundedAsync(ctx).ConfigureAwait(false);
        }
        catch (IOException e) when (RequestBodyFailure.Translate(e, ctx.RequestAborted) is { } error)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, error).ConfigureAwait(false);
            return;
        }

        if (body is null)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.TooLarge(FeedbackRequest.MaxBytes)).ConfigureAwait(false);
            return;
        }

        var (request, problem) = FeedbackRequest.Parse(body, config.Federation.Categories);
        if (request is null)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.BadRequest("invalid feedback: " + problem, code: "invalid_feedback")).ConfigureAwait(false);
            return;
        }

        if (ledger.ReadOnlyReason is not null)
        {
            await OpenAiErrorWriter.WriteAsync(ctx, PrivacyLedgerGate.ReadOnlyRefusal()).ConfigureAwait(false);
            return;
        }

        await book.EnsureLoadedAsync(ctx.RequestAborted).ConfigureAwait(false);
        var admin = services.GetRequiredService<RolePermissions>().Allows(caller.Role, RolePermissions.All);
        var claim = book.TryClaim(request.CompletionId, caller.Subject, admin, out var model, out var answered);
        if (claim == CompletionBook.ClaimOutcome.InFlight)
        {
            // The client read the answer before the request path finished with it.
            try
            {
                await answered!.WaitAsync(TimeSpan.FromSeconds(10), ctx.RequestAborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Still in flight: answered below as not (yet) a completion.
            }

            claim = book.TryClaim(request.CompletionId, caller.Subject, admin, out model, out _);
        }

        switch (claim)
        {
            case CompletionBook.ClaimOutcome.Unknown or CompletionBook.ClaimOutcome.InFlight:
                await OpenAiErrorWriter.WriteAsync(ctx, GatewayError.BadRequest(
                    "unknown completion: no answer this node gave you has that completion_id (or it is older than the feedback window)",
                    "completion_id", "unknown_completion")).ConfigureAwait(false);
                return;
            case CompletionBook.ClaimOutcome.AlreadyRated:
                await OpenAiErrorWriter.WriteAsync(ctx, new GatewayError(409, "invalid_request_error", "feedback_exists",
                    "this completion already has feedback; a completion can be rated once", "completion_id")).ConfigureAwait(false);
                return;
        }

        long seq;
        try
        {
            seq = await ledger.RecordAsync(new AuditEntry
            {
                EventType = AuditEventType.Request,
                RequestId = request.CompletionId,
                UserId = caller.Subject,
                Role = caller.Role,
                Department = caller.Department,
                Model = model,
                HttpStatus = 200,
                Decision = CompletionBook.FeedbackDecision,
                Detail = string.Create(CultureInfo.InvariantCulture, $"score={request.Score:R};category={request.Category}"),
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            book.Release(request.CompletionId);
            throw;
        }

        // Counted in the release only once it is durable; a dropped observation (over the user's clip) is still audited.
        var federated = services.GetService<FederationNode>()?.ObservationGate.RecordFeedback(caller.Subject, model!, request.Category, request.Score) ?? false;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(ctx.Response.Body);
        json.WriteStartObject();
        json.WriteString("object", "feedback");
        json.WriteString("completion_id", request.CompletionId);
        json.WriteNumber("score", request.Score);
        json.WriteString("category", request.Category);
        json.WriteNumber("audit_seq", seq);
        json.WriteBoolean("federated", federated);
        json.WriteEndObject();
    }

    /// <summary>The body, or null when it is longer than <see cref="FeedbackRequest.MaxBytes"/>.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContext ctx)
    {
        if (ctx.Request.ContentLength > FeedbackRequest.MaxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[1024];
        int read;
        while ((read = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > FeedbackRequest.MaxBytes)
            {
                return null;
            }
        }

        return buffer.ToArray();
    }
}
