using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;
using QuantumEdge.Gateway.Auth;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// The inference request path: authenticate, authorise, read and check the body, classify
/// (fail closed), admit (privacy), pick a permitted backend through the planner, forward and
/// stream back, retrying on another permitted backend while nothing has reached the client.
/// </summary>
public sealed class InferenceProxy(
    NodeConfiguration config,
    JwtAuthenticator authenticator,
    RolePermissions roles,
    ClassificationResolver classifier,
    BackendRegistry backends,
    IRoutePlanner planner,
    IReadOnlyList<IRequestGate> gates,
    GatewayMetrics metrics,
    ILogger<InferenceProxy> logger)
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    public async Task HandleAsync(HttpContext ctx, InferenceRoute route)
    {
        var started = Stopwatch.GetTimestamp();
        var record = new RequestRecord { RequestId = ctx.TraceIdentifier, Route = route };
        var admitted = false;
        try
        {
            record.Caller = await AuthenticateAsync(ctx).ConfigureAwait(false);
            if (!roles.Allows(record.Caller.Role, RolePermissions.Query))
            {
                throw GatewayError.Forbidden($"role '{record.Caller.Role}' lacks the 'query' permission");
            }

            var body = await ReadBodyAsync(ctx.Request, config.Server.MaxRequestBodyBytes, ctx.RequestAborted).ConfigureAwait(false);
            var request = InferenceRequest.Parse(body, route);
            if (!backends.KnowsModel(request.Model))
            {
                // The unknown name is the client's text: echo it to the client only, never into the audit.
                throw GatewayError.NotFound($"model '{request.Model}' is not served by this node", "model");
            }

            record.Model = request.Model;

            record.Classification = classifier.Resolve(ctx.Request.Headers[ClassificationResolver.HeaderName]);
            record.SessionId = ctx.Request.Headers["X-Session-Id"];
            var permitted = backends.Permitted(request.Model, record.Classification);
            if (permitted.Count == 0)
            {
                throw GatewayError.Unavailable(
                    $"no backend is permitted to receive {record.Classification.Name()} data for model '{request.Model}'",
                    "no_permitted_backend");
            }

            foreach (var gate in gates)
            {
                await gate.AdmitAsync(record, request.PromptUtf8, ctx.RequestAborted).ConfigureAwait(false);
            }

            admitted = true;
            var routeRequest = new RouteRequest
            {
                Model = request.Model,
                Classification = record.Classification,
                Department = record.Caller.Department,
                SessionId = record.SessionId,
                PatientContext = ctx.Request.Headers["X-Patient-Context"],
                PrefixFingerprint = request.PrefixFingerprint,
                EstimatedPromptTokens = request.EstimatedPromptTokens,
                EstimatedOutputTokens = request.EstimatedOutputTokens,
                Streaming = request.Stream,
            };
            await ForwardAsync(ctx, route, request, routeRequest, permitted, record).ConfigureAwait(false);
        }
        catch (GatewayError e)
        {
            if (!admitted)
            {
                record.Decision = $"refused:{e.Code ?? e.Type}";
                metrics.Refusals.WithLabels(e.Code ?? e.Type).Inc();
            }

            record.Status = e.Status;
            await WriteErrorAsync(ctx, e).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            record.Status = 499;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Log the type only: messages of framework exceptions can quote request content.
            logger.LogError("request {RequestId} failed: {ExceptionType}", record.RequestId, e.GetType().Name);
            var error = e is Ledger.LedgerException
                ? GatewayError.Unavailable("the privacy ledger is unavailable; nothing was sent to a backend", "ledger_unavailable")
                : new GatewayError(500, "server_error", "internal_error", "internal error; see the node's log for the request id " + record.RequestId);
            if (!admitted)
            {
                record.Decision = $"refused:{error.Code}";
            }

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

            metrics.Requests.WithLabels(route.MetricName(), StatusLabel(record.Status)).Inc();
            metrics.RequestDuration.WithLabels(route.MetricName()).Observe(record.LatencyMs / 1000);
            foreach (var gate in gates)
            {
                await gate.CompleteAsync(record).ConfigureAwait(false);
            }
        }
    }

    private async Task<CallerIdentity> AuthenticateAsync(HttpContext ctx)
    {
        try
        {
            return await authenticator.AuthenticateAsync(ctx.Request.Headers.Authorization).ConfigureAwait(false);
        }
        catch (TokenRejectedException e)
        {
            throw GatewayError.Unauthorized(e.Message);
        }
    }

    private async Task ForwardAsync(HttpContext ctx, InferenceRoute route, InferenceRequest request, RouteRequest routeRequest, List<Backend> permitted, RequestRecord record)
    {
        var payload = request.SerializeBody();
        var tried = new HashSet<Backend>();
        string? lastFailure = null;
        var queueWait = TimeSpan.FromMilliseconds(config.Server.QueueTimeoutMs);
        for (var attempt = 0; attempt < config.Server.MaxAttempts; attempt++)
        {
            // Every attempt re-reads health and circuit state, but only ever among the permitted set.
            var candidates = permitted.FindAll(b => !tried.Contains(b) && b.Healthy && !b.CircuitOpen);
            if (candidates.Count == 0)
            {
                break;
            }

            var backend = await planner.ChooseAsync(routeRequest, candidates, ctx.RequestAborted).ConfigureAwait(false);
            if (!candidates.Contains(backend))
            {
                throw new InvalidOperationException($"planner '{planner.Name}' chose backend '{backend.Id}' outside its candidates");
            }

            tried.Add(backend);
            if (!await backend.TryAcquireAsync(queueWait, ctx.RequestAborted).ConfigureAwait(false))
            {
                lastFailure = $"backend '{backend.Id}' stayed at its concurrency limit for {config.Server.QueueTimeoutMs} ms";
                metrics.BackendErrors.WithLabels(backend.Id, "saturated").Inc();
                continue;
            }

            record.Attempts++;
            record.Backend = backend.Id;
            metrics.BackendInFlight.WithLabels(backend.Id).Inc();
            try
            {
                var outcome = await TryBackendAsync(ctx, route, request, payload, backend, record).ConfigureAwait(false);
                if (outcome is null)
                {
                    return;
                }

                lastFailure = outcome;
            }
            finally
            {
                metrics.BackendInFlight.WithLabels(backend.Id).Dec();
                backend.Release();
            }
        }

        record.Backend = null;
        throw GatewayError.Unavailable(
            lastFailure is null
                ? $"no permitted backend for model '{request.Model}' is healthy right now"
                : $"all permitted backends failed; last: {lastFailure}",
            retryAfter: 1);
    }

    /// <summary>Null when the answer went to the client; otherwise why this backend failed (retryable).</summary>
    private async Task<string?> TryBackendAsync(HttpContext ctx, InferenceRoute route, InferenceRequest request, byte[] payload, Backend backend, RequestRecord record)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        var limit = TimeSpan.FromSeconds(backend.Settings.TimeoutSeconds);
        timeout.CancelAfter(limit);
        using var message = new HttpRequestMessage(HttpMethod.Post, route.RelativePath())
        {
            Content = new ByteArrayContent(payload) { Headers = { ContentType = JsonContentType } },
        };
        if (request.Stream)
        {
            message.Headers.Accept.ParseAdd("text/event-stream");
        }

        HttpResponseMessage response;
        var sent = Stopwatch.GetTimestamp();
        try
        {
            response = await backend.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (BrokenCircuitException)
        {
            metrics.BackendErrors.WithLabels(backend.Id, "circuit_open").Inc();
            return $"backend '{backend.Id}' circuit is open";
        }
        catch (HttpRequestException e)
        {
            metrics.BackendErrors.WithLabels(backend.Id, "connect").Inc();
            logger.LogWarning("backend {Backend} failed: {Error}", backend.Id, e.Message);
            return $"backend '{backend.Id}' unreachable";
        }
        catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            metrics.BackendErrors.WithLabels(backend.Id, "timeout").Inc();
            throw GatewayError.Timeout($"backend '{backend.Id}' did not answer within {backend.Settings.TimeoutSeconds} s");
        }

        using (response)
        {
            metrics.BackendLatency.WithLabels(backend.Id).Observe(Stopwatch.GetElapsedTime(sent).TotalSeconds);
            var status = (int)response.StatusCode;
            if (status >= 500 || status == 429)
            {
                metrics.BackendErrors.WithLabels(backend.Id, status == 429 ? "status_429" : "status_5xx").Inc();
                metrics.BackendRequests.WithLabels(backend.Id, "retried").Inc();
                return $"backend '{backend.Id}' answered {status}";
            }

            metrics.BackendRequests.WithLabels(backend.Id, status < 400 ? "ok" : "client_error").Inc();
            ctx.Response.StatusCode = status;
            ctx.Response.Headers["X-QuantumEdge-Backend"] = backend.Id;
            if (response.Content.Headers.ContentType is { } ct)
            {
                ctx.Response.ContentType = ct.ToString();
            }

            try
            {
                await using var upstream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                // From here on the answer may reach the client: a charge is kept even if it then disconnects.
                record.Disclosed = status < 400;
                if (request.Stream && status == 200)
                {
                    ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
                    ctx.Response.Headers.CacheControl = "no-cache";
                    ctx.Response.Headers["X-Accel-Buffering"] = "no";
                    var relay = await SseRelay.RelayAsync(upstream, ctx.Response.Body, request.ClientWantsUsage, timeout, limit, timeout.Token).ConfigureAwait(false);
                    record.Usage = relay.Usage;
                }
                else
                {
                    var body = await ReadAllAsync(upstream, MaxResponseBytes, timeout.Token).ConfigureAwait(false);
                    if (body is null)
                    {
                        metrics.BackendErrors.WithLabels(backend.Id, "oversized").Inc();
                        record.Disclosed = false;
                        throw GatewayError.BadGateway($"backend '{backend.Id}' sent a response larger than {MaxResponseBytes} bytes");
                    }

                    if (TokenUsage.TryRead(body, out var usage))
                    {
                        record.Usage = usage;
                    }

                    ctx.Response.ContentLength = body.Length;
                    await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!ctx.RequestAborted.IsCancellationRequested)
            {
                metrics.BackendErrors.WithLabels(backend.Id, "timeout").Inc();
                if (!ctx.Response.HasStarted)
                {
                    record.Disclosed = false;
                    throw GatewayError.Timeout($"backend '{backend.Id}' did not finish within {backend.Settings.TimeoutSeconds} s");
                }

                // Mid-stream: the status line is gone; ending the stream is the only signal left.
                ctx.Abort();
            }
            catch (InvalidDataException e)
            {
                metrics.BackendErrors.WithLabels(backend.Id, "oversized").Inc();
                if (!ctx.Response.HasStarted)
                {
                    record.Disclosed = false;
                    throw GatewayError.BadGateway($"backend '{backend.Id}': {e.Message}");
                }

                ctx.Abort();
            }
            catch (IOException) when (!ctx.RequestAborted.IsCancellationRequested)
            {
                metrics.BackendErrors.WithLabels(backend.Id, "connect").Inc();
                if (!ctx.Response.HasStarted)
                {
                    record.Disclosed = false;
                    return $"backend '{backend.Id}' dropped the connection";
                }

                ctx.Abort();
            }

            if (record.Usage is { } u)
            {
                metrics.Tokens.WithLabels(backend.Id, "prompt").Inc(u.PromptTokens);
                metrics.Tokens.WithLabels(backend.Id, "completion").Inc(u.CompletionTokens);
            }

            record.Status = status;
            return null;
        }
    }

    /// <summary>Largest non-streamed backend answer the gateway relays (64 MiB).</summary>
    public const int MaxResponseBytes = 64 * 1024 * 1024;

    /// <summary>The whole body, or null when it exceeds <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadAllAsync(Stream stream, int limit, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }

    /// <summary>Reads the body into memory, refusing anything past the limit without reading it all.</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            throw GatewayError.TooLarge(limit);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit + 1, request.ContentLength + 1 ?? 16 * 1024));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        throw GatewayError.TooLarge(limit);
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit + 1, buffer.Length * 2L));
                    Buffer.BlockCopy(buffer, 0, bigger, 0, length);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    throw GatewayError.TooLarge(limit);
                }
            }

            if (length == 0)
            {
                throw GatewayError.BadRequest("request body is empty; send a JSON object", code: "invalid_json");
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static async Task WriteErrorAsync(HttpContext ctx, GatewayError error)
    {
        if (ctx.Response.HasStarted)
        {
            ctx.Abort();
            return;
        }

        ctx.Response.Clear();
        ctx.Response.StatusCode = error.Status;
        if (error.RetryAfterSeconds is { } retry)
        {
            ctx.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (error.Status == 401)
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer";
        }

        await ctx.Response.WriteAsJsonAsync(error.ToEnvelope(), GatewayJsonContext.Default.OpenAiErrorEnvelope).ConfigureAwait(false);
    }

    private static string StatusLabel(int status) => status switch
    {
        200 => "200",
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        413 => "413",
        429 => "429",
        499 => "499",
        503 => "503",
        504 => "504",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
