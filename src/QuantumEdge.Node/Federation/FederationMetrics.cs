using Prometheus;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Federation;
using QuantumEdge.Federation.Gossip;

namespace QuantumEdge.Node.Federation;

/// <summary>
/// Federation figures on the metrics listener, read from the member and the gossip engine just
/// before each scrape (their own counters are the source of truth; these only mirror them).
/// </summary>
internal sealed class FederationMetrics
{
    private readonly Counter _sent;
    private readonly Counter _accepted;
    private readonly Counter _rejected;
    private readonly Gauge _peersReachable;
    private readonly Gauge _epsilonSpent;
    private readonly Gauge _quarantined;

    public FederationMetrics(CollectorRegistry registry, FederationMember member, GossipEngine engine)
    {
        var factory = NodeMetricFactory.For(registry);
        _sent = factory.CreateCounter("quantumedge_federation_envelopes_sent_total", "Envelopes this node pushed to peers.");
        _accepted = factory.CreateCounter("quantumedge_federation_envelopes_accepted_total", "Envelopes accepted by this node's verification pipeline (own ones included).");
        _rejected = factory.CreateCounter("quantumedge_federation_envelopes_rejected_total", "Envelopes refused, by reason.", "reason");
        _peersReachable = factory.CreateGauge("quantumedge_federation_peers_reachable", "Configured peers whose last exchange succeeded.");
        _epsilonSpent = factory.CreateGauge("quantumedge_federation_epsilon_spent", "Federation privacy budget spent today (UTC day) by DP releases.");
        _quarantined = factory.CreateGauge("quantumedge_federation_quarantined_origins", "Origins quarantined for equivocation or audit forks.");
        registry.AddBeforeCollectCallback(() =>
        {
            _sent.IncTo(engine.Totals.Pushed);
            _accepted.IncTo(member.Intake.Counters.Accepted);
            foreach (var (reason, count) in member.Intake.Counters.RefusedByReason)
            {
                _rejected.WithLabels(reason).IncTo(count);
            }

            _peersReachable.Set(member.PeerStates.All.Count(p => p.Reachable));
            _epsilonSpent.Set(member.Releaser.Budget(member.Clock.GetUtcNow()).EpsilonSpent);
            _quarantined.Set(member.Intake.Quarantined().Count);
        });
    }
}
