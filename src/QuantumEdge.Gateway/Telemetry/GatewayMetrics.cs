using System.Collections.Concurrent;
using Prometheus;

namespace QuantumEdge.Gateway.Telemetry;

/// <summary>
/// The gateway's own Prometheus series, registered in a per-node registry so that several
/// nodes can share a process (the demo runs three).
/// </summary>
public sealed class GatewayMetrics
{
    private readonly ConcurrentDictionary<string, BackendSeries> _backends = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RouteSeries> _routes = new(StringComparer.Ordinal);

    public GatewayMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var f = NodeMetricFactory.For(registry);
        Requests = f.CreateCounter("quantumedge_requests_total", "Requests answered, by route and HTTP status.", "route", "status");
        RequestDuration = f.CreateHistogram("quantumedge_request_duration_seconds", "Time from request arrival to the last byte of the answer.",
            new HistogramConfiguration { LabelNames = ["route"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 18) });
        Refusals = f.CreateCounter("quantumedge_refusals_total", "Requests refused by the gateway, by reason.", "reason");
        RefusalsAggregated = f.CreateCounter("quantumedge_refusals_aggregated_total",
            "Unauthenticated refusals counted into a per-address summary audit record instead of one record each.");
        BackendInFlight = f.CreateGauge("quantumedge_backend_in_flight", "Requests in flight to each backend.", "backend");
        BackendRequests = f.CreateCounter("quantumedge_backend_requests_total", "Attempts sent to each backend, by outcome.", "backend", "outcome");
        BackendErrors = f.CreateCounter("quantumedge_backend_errors_total", "Failed attempts per backend, by kind (connect, status_5xx, status_429, timeout, idle_timeout, answer_time_limit, upstream_aborted, too_large, oversized, circuit_open, saturated, probe_*, metrics_*).", "backend", "kind");
        BackendHealthy = f.CreateGauge("quantumedge_backend_healthy", "1 when the backend's last health probe succeeded.", "backend");
        BackendLatency = f.CreateHistogram("quantumedge_backend_latency_seconds", "Backend time to response headers.",
            new HistogramConfiguration { LabelNames = ["backend"], Buckets = Histogram.ExponentialBuckets(0.0005, 2, 18) });
        Tokens = f.CreateCounter("quantumedge_tokens_total", "Tokens metered from backend usage, by backend and kind (prompt, completion).", "backend", "kind");
    }

    public CollectorRegistry Registry { get; }
    public Counter Requests { get; }
    public Histogram RequestDuration { get; }
    public Counter Refusals { get; }
    public Counter RefusalsAggregated { get; }
    public Gauge BackendInFlight { get; }
    public Counter BackendRequests { get; }
    public Counter BackendErrors { get; }
    public Gauge BackendHealthy { get; }
    public Histogram BackendLatency { get; }
    public Counter Tokens { get; }

    /// <summary>The cached per-request series of one backend.</summary>
    internal BackendSeries Backend(string id) =>
        _backends.TryGetValue(id, out var series) ? series : _backends.GetOrAdd(id, static (id, m) => new BackendSeries(m, id), this);

    /// <summary>The cached per-request series of one route (by its metric name).</summary>
    internal RouteSeries Route(string name) =>
        _routes.TryGetValue(name, out var series) ? series : _routes.GetOrAdd(name, static (name, m) => new RouteSeries(m, name), this);
}
