using Prometheus;

namespace QuantumEdge.Gateway.Telemetry;

/// <summary>
/// One backend's children of the per-request series, looked up once: prometheus-net's
/// <c>WithLabels</c> allocates a label array and hashes the labels on every call, several times a
/// request. Each child is created on first use, so a series still appears only once it has a value.
/// </summary>
internal sealed class BackendSeries(GatewayMetrics metrics, string backend)
{
    private Histogram.Child? _latency;
    private Gauge.Child? _inFlight;
    private Counter.Child? _ok;
    private Counter.Child? _clientError;
    private Counter.Child? _clientGone;
    private Counter.Child? _retried;
    private Counter.Child? _promptTokens;
    private Counter.Child? _completionTokens;

    public Histogram.Child Latency => _latency ??= metrics.BackendLatency.WithLabels(backend);
    public Gauge.Child InFlight => _inFlight ??= metrics.BackendInFlight.WithLabels(backend);
    public Counter.Child PromptTokens => _promptTokens ??= metrics.Tokens.WithLabels(backend, "prompt");
    public Counter.Child CompletionTokens => _completionTokens ??= metrics.Tokens.WithLabels(backend, "completion");

    /// <summary>The attempts counter for <paramref name="outcome"/>; the common outcomes are cached.</summary>
    public Counter.Child Requests(string outcome) => outcome switch
    {
        "ok" => _ok ??= metrics.BackendRequests.WithLabels(backend, outcome),
        "client_error" => _clientError ??= metrics.BackendRequests.WithLabels(backend, outcome),
        "client_gone" => _clientGone ??= metrics.BackendRequests.WithLabels(backend, outcome),
        "retried" => _retried ??= metrics.BackendRequests.WithLabels(backend, outcome),
        _ => metrics.BackendRequests.WithLabels(backend, outcome),
    };
}
