using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Routing;

namespace QuantumEdge.Gateway.Planning;

/// <summary>
/// The planner's cost of sending one request to one backend, in milliseconds.
/// <para>
/// With C the backend's max_concurrency, ℓ its load fraction (in-flight and queued requests over
/// C, plus half its KV-cache use) and n = ℓ·C its occupied slots:
/// time to first token = TTFT₀ · (0.2 + 0.8 · prompt tokens / 512) · (1 − 0.6 if the backend
/// recently served the same prefix fingerprint or session), where TTFT₀ is the backend's observed
/// time to response headers (EWMA) or, before its first answer, the federation's figure for the
/// model (<see cref="RouteRequest.FirstTokenPriorMs"/>) and 50 ms when there is none;
/// decode = output tokens · 20 ms · (1 + ℓ), since decoding slows as a backend batches more;
/// queue wait = max(0, n + 1 − C) / C · (time to first token + decode), a slot freeing up every
/// service time / C; completion = wait + time to first token + decode.
/// </para>
/// <para>
/// latency cost = priority · completion; throughput cost = (time to first token + decode) · C̄ / C,
/// the backend time the request consumes per slot, normalised by the mean capacity C̄ of the
/// backends in play so that wide, fast backends (more tokens per second) cost less;
/// cost = (1 − θ) · latency cost + θ · throughput cost, θ from <see cref="PlanningStrategies.ThroughputWeight"/>.
/// </para>
/// </summary>
internal static class RouteCostModel
{
    /// <summary>Assumed time to first token of a backend that has not answered yet.</summary>
    public const double DefaultFirstTokenMs = 50;

    /// <summary>The prompt length the observed time to first token is read as.</summary>
    public const double ReferencePromptTokens = 512;

    /// <summary>Share of the time to first token that does not scale with the prompt (network, scheduling).</summary>
    public const double FixedFirstTokenShare = 0.2;

    /// <summary>Decode time per output token on an idle backend.</summary>
    public const double DecodeMsPerToken = 20;

    /// <summary>Share of the prefill saved when the backend holds the prefix or session in its KV cache.</summary>
    public const double CacheDiscount = 0.6;

    public static RouteEstimate Estimate(RouteRequest request, Backend backend, bool cached)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(backend);
        var capacity = (double)backend.Settings.MaxConcurrency;
        var load = Math.Max(0, backend.LoadFraction);
        var observed = backend.LatencyEwmaMs;
        var baseline = observed > 0 ? observed : request.FirstTokenPriorMs is > 0 and var prior ? prior : DefaultFirstTokenMs;
        var prompt = Math.Max(0, request.EstimatedPromptTokens) / ReferencePromptTokens;
        var firstToken = baseline * (FixedFirstTokenShare + ((1 - FixedFirstTokenShare) * prompt)) * (cached ? 1 - CacheDiscount : 1);
        var decode = Math.Max(0, request.EstimatedOutputTokens) * DecodeMsPerToken * (1 + load);
        var waiting = Math.Max(0, (load * capacity) + 1 - capacity);
        return new RouteEstimate(waiting / capacity * (firstToken + decode), firstToken, decode);
    }

    /// <param name="estimate">The request's timings on the backend.</param>
    /// <param name="priority">From <see cref="DepartmentPriority"/>.</param>
    /// <param name="throughputWeight">θ of the strategy in force.</param>
    /// <param name="capacityRatio">C̄ / C: mean capacity of the backends in play over this backend's.</param>
    public static double Cost(in RouteEstimate estimate, double priority, double throughputWeight, double capacityRatio) =>
        ((1 - throughputWeight) * priority * estimate.CompletionMs) + (throughputWeight * estimate.ServiceMs * capacityRatio);
}
