using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Kestrel's side of an inference request: authenticate and authorise the caller, read and parse
/// the body, hand an <see cref="InferenceCall"/> to the <see cref="InferencePipeline"/>, write its
/// error if one is left to write, and see that the outcome is metered and audited. Refusals of
/// unauthenticated callers are audited one by one only up to a per-address allowance; the rest
/// go into a summary record (<see cref="RefusalSummaryWriter"/>).
/// </summary>
public sealed class InferenceHttpAdapter(
    NodeConfiguration config,
    JwtAuthenticator authenticator,
    RolePermissions roles,
    InferencePipeline pipeline,
    IReadOnlyList<IRequestGate> gates,
    RefusalSummaryWriter unauthenticated,
    GatewayMetrics metrics,
    ILogger<InferenceHttpAdapter> logger,
    Emergency.EmergencyControls? emergency = null,
    Memory.RequestBodyBudget? bodies = null)
{
    public async Task HandleAsync(HttpContext ctx, InferenceRoute route)
    {
        var started = Stopwatch.GetTimestamp();
        var record = new RequestRecord { RequestId = ctx.TraceIdentifier, Route = route };
        var audit = true;
        try
        {
            var call = await ReadCallAsync(ctx, route, record).ConfigureAwait(false);
            var error = await pipeline.RunAsync(call, record, new HttpInferenceClient(ctx)).ConfigureAwait(false);
            if (error is not null)
            {
                await WriteErrorAsync(ctx, error).ConfigureAwait(false);
            }
        }
        catch (GatewayError e)
        {
            pipeline.Refused(record, e.Code ?? e.Type);
            record.Status = e.Status;
            if (e.Status == 401)
            {
                audit = unauthenticated.Note(RefusalSource.Of(ctx.Connection.RemoteIpAddress), RefusedEndpoint.Name(ctx));
            }

            await WriteErrorAsync(ctx, e).ConfigureAwait(false);
        }
        catch (Exception e) when (ctx.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            record.Status = 499;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Log the type only: messages of framework exceptions can quote request content.
            logger.LogError("request {RequestId} failed before routing: {ExceptionType}", record.RequestId, e.GetType().Name);
            var error = GatewayError.Internal(record.RequestId);
            pipeline.Refused(record, error.Code!);
            record.Status = error.Status;
            await WriteErrorAsync(ctx, error).ConfigureAwait(false);
        }
        finally
        {
            record.LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (record.Status == 0)
            {
                record.Status = ctx.Response.StatusCode;
            }

            var series = metrics.Route(route.MetricName());
            series.Requests(record.Status).Inc();
            series.Duration.Observe(record.LatencyMs / 1000);
            RequestLogLine.Write(logger, record);
            if (audit)
            {
                foreach (var gate in gates)
                {
                    await gate.CompleteAsync(record).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Authentication, the query permission, the body and its parse: everything HTTP-shaped.</summary>
    private async Task<InferenceCall> ReadCallAsync(HttpContext ctx, InferenceRoute route, RequestRecord record)
    {
        try
        {
            record.Caller = await authenticator.AuthenticateAsync(ctx.Request.Headers.Authorization).ConfigureAwait(false);
        }
        catch (TokenRejectedException e)
        {
            throw GatewayError.Unauthorized(e.Message, e.Code);
        }

        if (emergency?.Refusal(roles.Allows(record.Caller.Role, RolePermissions.All), inference: true) is { } emergencyRefusal)
        {
            throw emergencyRefusal;
        }

        if (!roles.Allows(record.Caller.Role, RolePermissions.Query))
        {
            throw GatewayError.Forbidden($"role '{record.Caller.Role}' lacks the 'query' permission");
        }

        var body = await RequestBodyReader.ReadAsync(ctx, config.Server.MaxRequestBodyBytes, bodies).ConfigureAwait(false);
        var headers = ctx.Request.Headers;
        return new InferenceCall
        {
            Caller = record.Caller,
            Request = InferenceRequest.Parse(body, route),
            Classification = headers[ClassificationResolver.HeaderName],
            SessionId = headers["X-Session-Id"],
            PatientContext = headers["X-Patient-Context"],
        };
    }

    private static async Task WriteErrorAsync(HttpContext ctx, GatewayError error)
    {
        try
        {
            await OpenAiErrorWriter.WriteAsync(ctx, error).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client is gone or the server already answered (a body timeout): nothing left to tell.
        }
    }
}
