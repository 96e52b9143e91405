using QuantumEdge.Ledger;

namespace QuantumEdge.Node.Compliance;

/// <summary>
/// Looks every few seconds for events no request raises: the ledger turning read-only (a
/// verification found tampering: <c>audit_verification_failed</c>; or a commit could not be made
/// durable: <c>ledger_storage_failure</c>, which calls for the storage and a restart, not for an
/// investigation of tampering), budget refusals rising by <see cref="SpikeRefusals"/> or more
/// between two looks (a budget-exhaustion spike), and the count of quarantined federation peers growing.
/// </summary>
internal sealed class ComplianceWatch(IPrivacyLedger ledger, Func<double> budgetRefusals, Func<int> quarantinedPeers, TimeSpan interval, TimeProvider time)
{
    public const int SpikeRefusals = 20;

    public async Task RunAsync(Action<ComplianceEvent> raise, CancellationToken ct)
    {
        var readOnly = ledger.ReadOnlyReason is not null;
        var refusals = budgetRefusals();
        var quarantined = quarantinedPeers();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = time.GetUtcNow();
            if (!readOnly && ledger.ReadOnlyReason is not null)
            {
                raise(new ComplianceEvent(ledger.StoppedByStorageFailure ? "ledger_storage_failure" : "audit_verification_failed", "critical", now));
            }

            readOnly = ledger.ReadOnlyReason is not null;
            var r = budgetRefusals();
            if (r - refusals >= SpikeRefusals)
            {
                raise(new ComplianceEvent("budget_exhaustion_spike", "warning", now));
            }

            refusals = r;
            var q = quarantinedPeers();
            if (q > quarantined)
            {
                raise(new ComplianceEvent("federation_quarantine", "critical", now));
            }

            quarantined = q;
        }
    }
}
