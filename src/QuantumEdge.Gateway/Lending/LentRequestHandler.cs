using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using QuantumEdge.Federation.Lending;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Forwarding;

namespace QuantumEdge.Gateway.Lending;

/// <summary>
/// The lender's endpoint, <c>POST /federation/v1/lend/{chat/completions|completions|embeddings}</c>
/// on the federation listener (only when <c>federation.lending.offer</c>). A request is
/// authenticated by <see cref="LendingRequestVerifier"/>, must be signed as public or internal
/// data, name a model of this node's offer and find a free slot of the borrower's
/// <c>max_concurrency_per_peer</c>; then it runs through this node's normal request path
/// (its PHI screen, its permission filter, its planner) as the pseudonymous caller
/// <c>peer:&lt;id&gt;</c>, and is audited with the borrower's request id, model and outcome.
/// Refusals of this layer carry <see cref="LendingHeaders.Refusal"/>; unauthenticated ones change
/// no state and are not audited (a counter only), so nobody outside the trust list can write to
/// this node's ledger.
/// </summary>
public sealed class LentRequestHandler(
    NodeConfiguration config,
    InferencePipeline pipeline,
    IReadOnlyList<IRequestGate> gates,
    LendingRequestVerifier verifier,
    PeerConcurrency concurrency,
    LendingCounters counters,
    ILogger<LentRequestHandler> logger,
    Emergency.EmergencyControls? emergency = null)
{
    /// <summary>The role a borrowing peer's requests carry on the lender (never a user's).</summary>
    public const string PeerRole = "federation_peer";

    private readonly HashSet<string> _offeredModels = new(config.Federation.Models, StringComparer.Ordinal);

    public async Task HandleAsync(HttpContext ctx, InferenceRoute route)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var started = Stopwatch.GetTimestamp();
        if (!config.Federation.Lending.Offer)
        {
            await RefuseAsync(ctx, 403, LendingRefusalReason.NotOffered, "this node does not offer lending (federation.lending.offer is false)").ConfigureAwait(false);
            return;
        }

        // A halted or locked-down node lends nothing: a peer is never an administrator here.
        if (emergency?.Refusal(callerIsAdmin: false, inference: true) is { } emergencyRefusal)
        {
            await RefuseAsync(ctx, emergencyRefusal.Status, emergencyRefusal.Code!, emergencyRefusal.Message).ConfigureAwait(false);
            return;
        }

        if (verifier.RefuseEarly(Header(ctx, LendingHeaders.From)) is { } early)
        {
            await RefuseAsync(ctx, early.Status, early.Reason!, early.Message).ConfigureAwait(false);
            return;
        }

        // The headers are signed, the body's hash with them: a stranger is refused before any body is buffered.
        if (verifier.Authenticate(ctx.Request.Method, ctx.Request.Path.Value ?? "", name => Header(ctx, name), out var claim) is { } refusal)
        {
            await RefuseAsync(ctx, refusal).ConfigureAwait(false);
            return;
        }

        if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            // The listener's own limit fits envelopes; an inference body may be as large as the API allows.
            size.MaxRequestBodySize = config.Server.MaxRequestBodyBytes + 1;
        }

        byte[] body;
        try
        {
            body = await RequestBodyReader.ReadAsync(ctx, config.Server.MaxRequestBodyBytes).ConfigureAwait(false);
        }
        catch (GatewayError e)
        {
            await RefuseAsync(ctx, e.Status, LendingRefusalReason.Malformed, e.Message).ConfigureAwait(false);
            return;
        }

        var verdict = verifier.Admit(claim!, body);
        if (!verdict.Accepted)
        {
            await RefuseAsync(ctx, verdict).ConfigureAwait(false);
            return;
        }

        // Authenticated: from here on every outcome is audited under the peer's pseudonymous caller.
        var peer = verdict.Peer!;
        var record = new RequestRecord
        {
            RequestId = "lend:" + verdict.RequestId,
            Route = route,
            Caller = new CallerIdentity("peer:" + peer, PeerRole, "federation", DateTimeOffset.MaxValue),
        };
        DataClassifications.TryParseLevel(verdict.Classification, out var classification);
        record.Classification = classification;
        try
        {
            await ServeAsync(ctx, route, body, peer, record).ConfigureAwait(false);
        }
        finally
        {
            record.LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (record.Status == 0)
            {
                record.Status = ctx.Response.StatusCode;
            }

            foreach (var gate in gates)
            {
                await gate.CompleteAsync(record).ConfigureAwait(false);
            }
        }
    }

    private async Task ServeAsync(HttpContext ctx, InferenceRoute route, byte[] body, string peer, RequestRecord record)
    {
        InferenceRequest request;
        try
        {
            request = InferenceRequest.Parse(body, route);
        }
        catch (GatewayError e)
        {
            await RefuseAuditedAsync(ctx, record, e.Status, LendingRefusalReason.Malformed, e.Message).ConfigureAwait(false);
            return;
        }

        if (!LendingPolicy.IsLendable(record.Classification))
        {
            await RefuseAuditedAsync(ctx, record, 403, LendingRefusalReason.ClassificationNotLendable,
                $"only public and internal data may be lent; this request is signed as {record.Classification.Name()}").ConfigureAwait(false);
            return;
        }

        if (!_offeredModels.Contains(request.Model))
        {
            await RefuseAuditedAsync(ctx, record, 404, LendingRefusalReason.ModelNotLent, $"model '{request.Model}' is not in this node's lending offer").ConfigureAwait(false);
            return;
        }

        // Only a name this node offers is recorded: until then it is the peer's text, which may be anything.
        record.Model = request.Model;

        using var slot = concurrency.TryEnter(peer);
        if (slot is null)
        {
            await RefuseAuditedAsync(ctx, record, 429, LendingRefusalReason.PeerConcurrencyLimit,
                $"peer '{peer}' already has {concurrency.MaxPerPeer} lent requests running here (max_concurrency_per_peer)").ConfigureAwait(false);
            return;
        }

        counters.Served(peer);
        var call = new InferenceCall
        {
            Caller = record.Caller!,
            Request = request,
            Classification = record.Classification.Name(),
            LentBy = peer,
        };
        var error = await pipeline.RunAsync(call, record, new HttpInferenceClient(ctx)).ConfigureAwait(false);
        if (error is null)
        {
            return;
        }

        if (error.Code is LendingRefusalReason.ClassificationNotLendable or "model_not_found" or LendingRefusalReason.NoPermittedBackend
            && !ctx.Response.HasStarted)
        {
            // The borrower tries elsewhere on these rather than passing this node's refusal to its caller. Set as the
            // answer starts: the error writer clears the response's headers first.
            var reason = error.Code == "model_not_found" ? LendingRefusalReason.ModelNotLent : error.Code;
            counters.Refused(reason);
            ctx.Response.OnStarting(() =>
            {
                ctx.Response.Headers[LendingHeaders.Refusal] = reason;
                return Task.CompletedTask;
            });
        }

        try
        {
            await OpenAiErrorWriter.WriteAsync(ctx, error).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The borrower is gone or the answer already started: nothing left to tell.
        }
    }

    private Task RefuseAuditedAsync(HttpContext ctx, RequestRecord record, int status, string reason, string message)
    {
        record.Decision = "refused:" + reason;
        record.Status = status;
        return RefuseAsync(ctx, status, reason, message);
    }

    private async Task RefuseAsync(HttpContext ctx, LendingVerdict refusal)
    {
        logger.LogWarning("lending request refused ({Reason}): {Message}", refusal.Reason, refusal.Message);
        await RefuseAsync(ctx, refusal.Status, refusal.Reason!, refusal.Message).ConfigureAwait(false);
    }

    private async Task RefuseAsync(HttpContext ctx, int status, string reason, string message)
    {
        counters.Refused(reason);
        if (ctx.Response.HasStarted)
        {
            return;
        }

        var response = ctx.Response;
        response.StatusCode = status;
        response.Headers[LendingHeaders.Refusal] = reason;
        response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteNumber("status", status);
            json.WriteString("reason", reason);
            json.WriteString("message", message);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        try
        {
            await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ctx.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The borrower is gone.
        }
    }

    private static string? Header(HttpContext ctx, string name) =>
        ctx.Request.Headers.TryGetValue(name, out var values) && values.Count == 1 ? values[0] : null;
}
