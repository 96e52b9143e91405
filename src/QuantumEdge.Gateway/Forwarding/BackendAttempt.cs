using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// Sends a request to one backend and relays its answer: headers within the backend's timeout,
/// then the body with the same time as the longest silence allowed. Reports the outcome to the
/// backend's state (circuit, latency) and says whether another backend may be tried, which is
/// only while nothing has reached the client.
/// </summary>
internal sealed class BackendAttempt(BackendRegistry backends, GatewayMetrics metrics, ILogger logger)
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");

    /// <summary>Largest non-streamed backend answer relayed (64 MiB).</summary>
    public const long MaxResponseBytes = 64 * 1024 * 1024;

    /// <summary>
    /// Each backend's absolute endpoint per route, made once: a relative URI is parsed and combined
    /// with the client's base address again on every send.
    /// </summary>
    private readonly ConditionalWeakTable<Backend, Uri[]> _endpoints = new();

    public async Task<AttemptResult> RunAsync(InferenceRoute route, InferenceRequest request, byte[] payload, Backend backend, RequestRecord record, IInferenceClient client)
    {
        var limit = TimeSpan.FromSeconds(backend.Settings.TimeoutSeconds);
        var seconds = backend.Settings.TimeoutSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        using var message = new HttpRequestMessage(HttpMethod.Post, Endpoint(backend, route))
        {
            Content = new ByteArrayContent(payload) { Headers = { ContentType = JsonContentType } },
        };
        if (request.Stream)
        {
            message.Headers.Accept.ParseAdd("text/event-stream");
        }

        if (backend.Settings.LendingPeer is { } peer)
        {
            Lending.LendingTicket.Attach(message, record, peer);
        }

        HttpResponseMessage response;
        var sent = Stopwatch.GetTimestamp();
        using (var headers = CancellationTokenSource.CreateLinkedTokenSource(client.Gone))
        {
            headers.CancelAfter(limit);
            try
            {
                response = await backends.TransportOf(backend).SendAsync(message, headers.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                var (kind, problem) = SendFailure.Describe(e);
                return Failed(backend, kind, $"backend '{backend.Id}' {problem}", e.Message);
            }
            catch (OperationCanceledException) when (!client.Gone.IsCancellationRequested)
            {
                // A hung backend must look slow to the planner and count against its circuit.
                backend.ObserveLatency(limit);
                return Failed(backend, "timeout", $"backend '{backend.Id}' did not answer within {seconds} s", null, timedOut: true);
            }
        }

        using (response)
        {
            var elapsed = Stopwatch.GetElapsedTime(sent);
            var series = metrics.Backend(backend.Id);
            backend.ObserveLatency(elapsed);
            series.Latency.Observe(elapsed.TotalSeconds);
            var status = (int)response.StatusCode;
            if (status >= 500 || status == 429)
            {
                series.Requests("retried").Inc();
                if (status == 429)
                {
                    backend.Report(BackendAttemptOutcome.Inconclusive);
                    metrics.BackendErrors.WithLabels(backend.Id, "status_429").Inc();
                    return AttemptResult.Retry($"backend '{backend.Id}' answered 429");
                }

                return Failed(backend, "status_5xx", $"backend '{backend.Id}' answered {status}", null);
            }

            if (status is 401 or 403)
            {
                // The backend refused the gateway's own key, not the caller's token: relaying its
                // invalid_api_key would send clinicians after a problem only an operator can fix.
                var refused = $"backend '{backend.Id}' refused the gateway's credentials (HTTP {status}): check the key in its api_key_env variable";
                Failed(backend, "status_auth", refused, $"answered {status}");
                return AttemptResult.RetryOr(new GatewayError(502, "server_error", "backend_auth_failed", refused));
            }

            if (AnswerFraming.Refusal(response) is { } refusal)
            {
                return Failed(backend, refusal.Kind, $"backend '{backend.Id}' {refusal.Problem}", null);
            }

            // Only an answer labelled as an event stream is relayed as one: a backend that ignores "stream": true (or answers
            // an error as JSON with 200) would otherwise reach the client as one malformed event with an error event appended.
            var eventStream = request.Stream && status == 200
                && string.Equals(response.Content.Headers.ContentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
            if (!eventStream && response.Content.Headers.ContentLength > MaxResponseBytes)
            {
                return Failed(backend, "oversized", $"backend '{backend.Id}' announced an answer larger than {MaxResponseBytes} bytes", null);
            }

            var head = new AnswerHead(status, response.Content.Headers.ContentType?.ToString(), eventStream ? null : response.Content.Headers.ContentLength, backend.Id, eventStream);
            RelayResult relay;
            try
            {
                await using var upstream = await response.Content.ReadAsStreamAsync(client.Gone).ConfigureAwait(false);
                var answerLimit = TimeSpan.FromSeconds(backend.Settings.MaxAnswerSeconds);
                relay = eventStream
                    ? await SseRelay.RelayAsync(upstream, client.Body, request.ClientWantsUsage, limit, client.Gone, () => client.Begin(head), answerLimit).ConfigureAwait(false)
                    : await BodyRelay.RelayAsync(upstream, client.Body, MaxResponseBytes, limit, client.Gone, () => client.Begin(head), answerLimit).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !client.Gone.IsCancellationRequested)
            {
                return Failed(backend, "aborted", $"backend '{backend.Id}' dropped the connection", e.Message);
            }

            return await SettleAsync(backend, status, eventStream, relay, seconds, record, client).ConfigureAwait(false);
        }
    }

    private Uri Endpoint(Backend backend, InferenceRoute route)
    {
        if (!_endpoints.TryGetValue(backend, out var endpoints))
        {
            // The transport's base address is the backend's configured URL (BackendTransport), so this is the URI the client would build.
            endpoints = _endpoints.GetValue(backend, static b =>
                [new Uri(b.Settings.Url, InferenceRoute.ChatCompletions.RelativePath()), new Uri(b.Settings.Url, InferenceRoute.Completions.RelativePath()),
                    new Uri(b.Settings.Url, InferenceRoute.Embeddings.RelativePath())]);
        }

        return endpoints[(int)route];
    }

    /// <summary>Turns a relay's result into the request's outcome, the backend's report and the client's last bytes (usually at once: a ValueTask then allocates nothing).</summary>
    private async ValueTask<AttemptResult> SettleAsync(Backend backend, int status, bool eventStream, RelayResult relay, string seconds, RequestRecord record, IInferenceClient client)
    {
        // A charge is kept only when completion text may have reached the caller: a redirect's or an error's body is not one.
        record.Disclosed = status is >= 200 and < 300 && (eventStream ? relay.TextDisclosed : relay.BytesForwarded > 0);
        record.Usage = relay.Usage;
        var series = metrics.Backend(backend.Id);
        if (relay.Usage is { } u)
        {
            series.PromptTokens.Inc(u.PromptTokens);
            series.CompletionTokens.Inc(u.CompletionTokens);
        }

        switch (relay.Outcome)
        {
            case RelayOutcome.Completed:
                backend.Report(BackendAttemptOutcome.Succeeded);
                series.Requests(status < 400 ? "ok" : "client_error").Inc();
                record.Status = status;
                return AttemptResult.Done;
            case RelayOutcome.ClientGone:
                backend.Report(BackendAttemptOutcome.Inconclusive);
                series.Requests("client_gone").Inc();
                record.Status = 499;
                return AttemptResult.Done;
        }

        var (kind, error) = relay.Outcome switch
        {
            RelayOutcome.IdleTimeout => ("idle_timeout", new GatewayError(504, "server_error", "backend_idle_timeout",
                $"backend '{backend.Id}' sent nothing for {seconds} s; the answer is incomplete")),
            RelayOutcome.AnswerTimeLimit => ("answer_time_limit", new GatewayError(504, "server_error", "backend_answer_time_limit",
                $"backend '{backend.Id}' was still answering after {backend.Settings.MaxAnswerSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s (its max_answer_seconds); the answer is incomplete")),
            RelayOutcome.TooLarge => ("too_large", new GatewayError(502, "server_error", "backend_too_large", eventStream
                ? $"backend '{backend.Id}' sent a server-sent event larger than {SseRelay.MaxEventBytes} bytes; the answer is incomplete"
                : $"backend '{backend.Id}' sent an answer larger than {MaxResponseBytes} bytes")),
            RelayOutcome.MalformedEvent => ("malformed_event", new GatewayError(502, "server_error", "backend_malformed_event",
                $"backend '{backend.Id}' sent a server-sent event whose data is not JSON; the answer is incomplete")),
            _ => ("upstream_aborted", new GatewayError(502, "server_error", "backend_aborted",
                $"backend '{backend.Id}' broke off its answer; it is incomplete")),
        };
        if (relay.NothingSent && !client.HasStarted)
        {
            record.Disclosed = false;
            return Failed(backend, kind, error.Message, null, timedOut: relay.Outcome == RelayOutcome.IdleTimeout);
        }

        backend.Report(relay.Outcome == RelayOutcome.IdleTimeout ? BackendAttemptOutcome.TimedOut : BackendAttemptOutcome.Failed);
        metrics.BackendErrors.WithLabels(backend.Id, kind).Inc();
        series.Requests(kind).Inc();
        record.Status = error.Status;
        record.Decision = "failed:" + kind;
        if (eventStream)
        {
            // The status line went out as 200: an error event is the signal the SDKs understand, then a clean end.
            try
            {
                await client.Body.WriteAsync(SseErrorEvent.Encode(error), client.Gone).ConfigureAwait(false);
                await client.Body.FlushAsync(client.Gone).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                record.Status = 499;
            }
        }
        else
        {
            // A part-sent JSON body cannot carry an error; cutting the connection keeps the client from taking it as whole.
            client.Abort();
        }

        return AttemptResult.Done;
    }

    private AttemptResult Failed(Backend backend, string kind, string failure, string? detail, bool timedOut = false)
    {
        backend.Report(timedOut ? BackendAttemptOutcome.TimedOut : BackendAttemptOutcome.Failed);
        metrics.BackendErrors.WithLabels(backend.Id, kind).Inc();
        metrics.Backend(backend.Id).Requests("retried").Inc();
        if (detail is not null)
        {
            logger.LogWarning("backend {Backend} failed ({Kind}): {Error}", backend.Id, kind, detail);
        }

        return AttemptResult.Retry(failure, timedOut);
    }
}
