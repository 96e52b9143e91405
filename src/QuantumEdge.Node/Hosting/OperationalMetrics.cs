using Prometheus;
using QuantumEdge.Gateway.Telemetry;
using QuantumEdge.Gateway.Backends;
using QuantumEdge.Gateway.Classification;
using QuantumEdge.Gateway.Planning;
using QuantumEdge.Gateway.Routing;
using QuantumEdge.Ledger;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// The series the shipped alert rules need beyond the guide's, refreshed at each scrape from the
/// node's own state: <c>quantumedge_ledger_read_only</c> (1 while the ledger refuses writes and every
/// inference request is refused: verification found tampering, or a commit could not be made durable),
/// <c>quantumedge_ledger_storage_failed</c> (1 for the second cause, so that a failed disk does not
/// page the on-call as tampering), <c>quantumedge_backends_ready{classification}</c>
/// (healthy backends cleared for each classification), and the planner's solve and budget-fallback
/// counters (<c>quantumedge_planner_solves_total</c>, <c>quantumedge_planner_budget_fallbacks_total</c>),
/// which guard the coherence alert and give the fallback rate.
/// </summary>
internal sealed class OperationalMetrics
{
    private readonly Gauge _ledgerReadOnly;
    private readonly Gauge _ledgerStorageFailed;
    private readonly Gauge _backendsReady;
    private readonly Counter _solves;
    private readonly Counter _fallbacks;
    private readonly IPrivacyLedger _ledger;
    private readonly BackendRegistry _backends;
    private readonly IRoutePlanner _planner;

    public OperationalMetrics(CollectorRegistry registry, IPrivacyLedger ledger, BackendRegistry backends, IRoutePlanner planner)
    {
        var f = NodeMetricFactory.For(registry);
        _ledgerReadOnly = f.CreateGauge("quantumedge_ledger_read_only",
            "1 while the audit ledger is read-only (every inference request is refused): verification found tampering, or a commit could not be made durable.");
        _ledgerStorageFailed = f.CreateGauge("quantumedge_ledger_storage_failed",
            "1 while the audit ledger is read-only because a commit could not be made durable (a storage failure, not tampering): repair the storage and restart the node.");
        _backendsReady = f.CreateGauge("quantumedge_backends_ready",
            "Healthy backends with a closed circuit cleared for each data classification (0: that classification is refused).", "classification");
        _solves = f.CreateCounter("quantumedge_planner_solves_total", "Planner solves of a batch (simulated bifurcation runs).");
        _fallbacks = f.CreateCounter("quantumedge_planner_budget_fallbacks_total",
            "Planner solves that overran their budget and were answered with the greedy plan.");
        _ledger = ledger;
        _backends = backends;
        _planner = planner;
    }

    public void Update()
    {
        _ledgerReadOnly.Set(_ledger.ReadOnlyReason is null ? 0 : 1);
        _ledgerStorageFailed.Set(_ledger.StoppedByStorageFailure ? 1 : 0);
        foreach (var level in ClassificationReadiness.Levels)
        {
            _backendsReady.WithLabels(level.Name()).Set(ClassificationReadiness.ReadyBackends(_backends, level));
        }

        if (_planner is QuantumRoutePlanner quantum)
        {
            var status = quantum.Status();
            _solves.IncTo(status.Solves);
            _fallbacks.IncTo(status.BudgetFallbacks);
        }
    }
}
