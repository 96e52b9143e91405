using Prometheus;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Federation.Lending;

namespace QuantumEdge.Node.Federation;

/// <summary>Lending figures on the metrics listener, mirrored from <see cref="LendingCounters"/> just before each scrape.</summary>
internal sealed class LendingMetrics
{
    public LendingMetrics(CollectorRegistry registry, LendingCounters counters)
    {
        var factory = NodeMetricFactory.For(registry);
        var served = factory.CreateCounter("quantumedge_federation_lending_served_total",
            "Lent requests this node took on for a peer (authenticated, public/internal, within the peer's concurrency limit), by peer.", "peer");
        var refused = factory.CreateCounter("quantumedge_federation_lending_refused_total",
            "Lending requests this node refused as lender, by reason.", "reason");
        var borrowed = factory.CreateCounter("quantumedge_federation_lending_borrowed_total",
            "Requests a peer took on for this node (borrowed capacity), by peer.", "peer");
        var borrowRefused = factory.CreateCounter("quantumedge_federation_lending_borrow_refused_total",
            "Lending requests of this node refused by the lender (or not sent: not_lendable), by reason.", "reason");
        registry.AddBeforeCollectCallback(() =>
        {
            foreach (var (peer, count) in counters.ServedByPeer)
            {
                served.WithLabels(peer).IncTo(count);
            }

            foreach (var (reason, count) in counters.RefusedByReason)
            {
                refused.WithLabels(reason).IncTo(count);
            }

            foreach (var (peer, count) in counters.BorrowedByPeer)
            {
                borrowed.WithLabels(peer).IncTo(count);
            }

            foreach (var (reason, count) in counters.BorrowRefusedByReason)
            {
                borrowRefused.WithLabels(reason).IncTo(count);
            }
        });
    }
}
