using Microsoft.Extensions.Logging;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Configuration;
using QuantumEdge.Gateway.Contracts;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Gateway.Forwarding;

/// <summary>
/// The inference request path after authentication and parsing, without HTTP: classify (fail
/// closed), find the permitted backends, admit (privacy gates), pick a backend through the
/// planner, forward and relay, retrying on another permitted backend while nothing has reached
/// the client. It fills the request's record and returns the error to answer with, if any.
/// </summary>
public sealed class InferencePipeline(
    NodeConfiguration config,
    ClassificationResolver classifier,
    Classification.PhiDetection.PhiScreen phiScreen,
    BackendRegistry backends,
    IRoutePlanner planner,
    IReadOnlyList<IRequestGate> gates,
    GatewayMetrics metrics,
    ILogger<InferencePipeline> logger,
    Lending.BorrowedCapacity? borrowing = null,
    Planning.IFirstTokenPriors? priors = null)
{
    private readonly BackendAttempt _attempt = new(backends, metrics, logger);

    /// <summary>Runs the call; null when the answer (or its failure) already went to the client.</summary>
    public async Task<GatewayError?> RunAsync(InferenceCall call, RequestRecord record, IInferenceClient client)
    {
        var admitted = false;
        try
        {
            var request = call.Request;
            if (!backends.KnowsModel(request.Model))
            {
                // The unknown name is the client's text: echo it to the client only, never into the audit.
                throw GatewayError.NotFound($"model '{request.Model}' is not served by this node", "model");
            }

            record.Model = request.Model;
            record.Classification = classifier.Resolve(call.Classification);
            phiScreen.Screen(request, record);
            if (call.LentBy is not null && !Lending.LendingPolicy.IsLendable(record.Classification))
            {
                // A peer's request is served here only as public or internal data, after this node's own PHI screen too.
                throw GatewayError.Forbidden($"lent requests must be public or internal data; this one is {record.Classification.Name()}",
                    QuantumEdge.Federation.Lending.LendingRefusalReason.ClassificationNotLendable);
            }

            record.SessionId = call.SessionId;
            var permitted = backends.Permitted(request.Model, record.Classification);
            var mayBorrow = call.LentBy is null ? borrowing : null;
            if (permitted.Count == 0 && mayBorrow?.Spill(request.Model, record.Classification, permitted, new HashSet<Backend>()) is null)
            {
                throw GatewayError.Unavailable(
                    $"no backend is permitted to receive {record.Classification.Name()} data for model '{request.Model}'",
                    "no_permitted_backend");
            }

            foreach (var gate in gates)
            {
                await gate.AdmitAsync(record, request.PromptUtf8, client.Gone).ConfigureAwait(false);
            }

            admitted = true;
            var routeRequest = new RouteRequest
            {
                Model = request.Model,
                Classification = record.Classification,
                Department = call.Caller.Department,
                SessionId = record.SessionId,
                PatientContext = call.PatientContext,
                PrefixFingerprint = request.PrefixFingerprint,
                EstimatedPromptTokens = request.EstimatedPromptTokens,
                EstimatedOutputTokens = request.EstimatedOutputTokens,
                Streaming = request.Stream,
                FirstTokenPriorMs = priors?.FirstTokenMs(request.Model),
            };
            await ForwardAsync(record.Route, request, routeRequest, permitted, record, client, mayBorrow, call.PinnedBackend).ConfigureAwait(false);
            return null;
        }
        catch (GatewayError e)
        {
            if (!admitted)
            {
                Refused(record, e.Code ?? e.Type);
            }

            record.Status = e.Status;
            return e;
        }
        catch (OperationCanceledException) when (client.Gone.IsCancellationRequested)
        {
            record.Status = 499;
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Log the type only: messages of framework exceptions can quote request content.
            logger.LogError("request {RequestId} failed: {ExceptionType}", record.RequestId, e.GetType().Name);
            var error = e is Ledger.LedgerException
                ? GatewayError.Unavailable("the privacy ledger is unavailable; nothing was sent to a backend", "ledger_unavailable")
                : GatewayError.Internal(record.RequestId);
            if (!admitted)
            {
                record.Decision = $"refused:{error.Code}";
            }

            record.Status = error.Status;
            return error;
        }
    }

    /// <summary>Marks a request refused before admission (counted by reason).</summary>
    public void Refused(RequestRecord record, string reason)
    {
        record.Decision = $"refused:{reason}";
        metrics.Refusals.WithLabels(reason).Inc();
    }

    private async Task ForwardAsync(InferenceRoute route, InferenceRequest request, RouteRequest routeRequest, List<Backend> permitted, RequestRecord record, IInferenceClient client,
        Lending.BorrowedCapacity? borrowing, string? pinned)
    {
        var payload = request.SerializeBody();
        var tried = new HashSet<Backend>();
        string? lastFailure = null;
        var lastTimedOut = false;
        GatewayError? lastError = null;
        var queueWait = TimeSpan.FromMilliseconds(config.Server.QueueTimeoutMs);
        for (var attempt = 0; attempt < config.Server.MaxAttempts; attempt++)
        {
            // Every attempt re-reads health and circuit state, but only ever among the permitted set.
            var candidates = Untried(permitted, tried);
            // Peers' lent capacity only when no local candidate has a free slot (public/internal only: BorrowedCapacity.Spill).
            candidates = borrowing?.Spill(request.Model, record.Classification, candidates, tried) ?? candidates;
            if (candidates.Count == 0)
            {
                break;
            }

            var backend = attempt == 0 && pinned is not null && Named(candidates, pinned) is { } chosen
                ? chosen
                : await planner.ChooseAsync(routeRequest, candidates, client.Gone).ConfigureAwait(false);
            if (!candidates.Contains(backend))
            {
                throw new InvalidOperationException($"planner '{planner.Name}' chose backend '{backend.Id}' outside its candidates");
            }

            tried.Add(backend);
            if (!backend.TryEnterCircuit())
            {
                metrics.BackendErrors.WithLabels(backend.Id, "circuit_open").Inc();
                lastFailure = $"backend '{backend.Id}' circuit is open";
                lastTimedOut = false;
                lastError = null;
                continue;
            }

            bool acquired;
            try
            {
                acquired = await backend.TryAcquireAsync(queueWait, client.Gone).ConfigureAwait(false);
            }
            catch
            {
                // The client left while this attempt queued: had it been the circuit's one trial, nothing else would free it.
                backend.Report(BackendAttemptOutcome.Inconclusive);
                throw;
            }

            if (!acquired)
            {
                backend.Report(BackendAttemptOutcome.Inconclusive);
                lastFailure = $"backend '{backend.Id}' stayed at its concurrency limit for {config.Server.QueueTimeoutMs} ms";
                lastTimedOut = false;
                lastError = null;
                metrics.BackendErrors.WithLabels(backend.Id, "saturated").Inc();
                continue;
            }

            record.Attempts++;
            record.Backend = backend.Id;
            var inFlight = metrics.Backend(backend.Id).InFlight;
            inFlight.Inc();
            AttemptResult result;
            try
            {
                result = await _attempt.RunAsync(route, request, payload, backend, record, client).ConfigureAwait(false);
            }
            catch
            {
                backend.Report(BackendAttemptOutcome.Inconclusive);
                throw;
            }
            finally
            {
                inFlight.Dec();
                backend.Release();
            }

            if (result.Answered)
            {
                return;
            }

            lastFailure = result.Failure;
            lastTimedOut = result.TimedOut;
            lastError = result.Error;
        }

        record.Backend = null;
        if (lastError is not null)
        {
            throw lastError;
        }

        if (lastTimedOut)
        {
            throw GatewayError.Timeout(lastFailure!);
        }

        throw GatewayError.Unavailable(
            lastFailure is null
                ? $"no permitted backend for model '{request.Model}' is healthy right now"
                : $"all permitted backends failed; last: {lastFailure}",
            retryAfter: 1);
    }

    // Plain loops rather than lambdas: a lambda over `tried` or `pinned` costs this async method a closure object on every request.
    private static List<Backend> Untried(List<Backend> permitted, HashSet<Backend> tried)
    {
        var candidates = new List<Backend>(permitted.Count);
        foreach (var b in permitted)
        {
            if (!tried.Contains(b) && b.Healthy && !b.CircuitOpen)
            {
                candidates.Add(b);
            }
        }

        return candidates;
    }

    private static Backend? Named(List<Backend> candidates, string id)
    {
        foreach (var b in candidates)
        {
            if (b.Id == id)
            {
                return b;
            }
        }

        return null;
    }
}
