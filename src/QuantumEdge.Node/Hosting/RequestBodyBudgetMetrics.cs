using Prometheus;
using QuantumEdge.Gateway.Memory;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// <c>quantumedge_request_body_bytes_held</c> and <c>quantumedge_request_body_bytes_limit</c>, refreshed at
/// each scrape: how close the node is to answering large bodies 503 <c>server_busy</c>.
/// </summary>
internal sealed class RequestBodyBudgetMetrics
{
    private readonly RequestBodyBudget _budget;
    private readonly Gauge _held;

    public RequestBodyBudgetMetrics(CollectorRegistry registry, RequestBodyBudget budget)
    {
        var f = NodeMetricFactory.For(registry);
        _budget = budget;
        _held = f.CreateGauge("quantumedge_request_body_bytes_held",
            "Bytes of inference request bodies the node holds now (reserved before a body is read, given back when its response completes).");
        f.CreateGauge("quantumedge_request_body_bytes_limit",
            "The most bytes of request bodies held at once (a sixteenth of resources.memory_limit); a body that would cross it is answered 503 server_busy.")
            .Set(budget.Capacity);
    }

    public void Update() => _held.Set(_budget.Held);
}
