using QuantumEdge.Ledger;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Backup;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.Reports;
using QuantumEdge.Ledger.Retention;
using QuantumEdge.Privacy;

namespace QuantumEdge.Gateway.Tests.Privacy;

/// <summary>
/// A real ledger whose store can be made unreachable: while <see cref="Down"/> every store call
/// throws <see cref="LedgerUnavailableException"/> before reaching the inner ledger, as a shared
/// database's engine does when its server is gone. Used for the gateway's mapping only; the real
/// outage is tested against a real PostgreSQL server in the node's tests.
/// </summary>
internal sealed class SwitchableOutageLedger(IPrivacyLedger inner) : IPrivacyLedger
{
    private volatile bool _down;

    public bool Down { get => _down; set => _down = value; }

    /// <summary>Store calls refused while down.</summary>
    public int Refused => Volatile.Read(ref _refused);

    private int _refused;

    private void Reach()
    {
        if (_down)
        {
            Interlocked.Increment(ref _refused);
            throw new LedgerUnavailableException("the ledger database at 127.0.0.1:1 refused the connection");
        }
    }

    private async Task<T> Reach<T>(Func<Task<T>> call)
    {
        Reach();
        return await call().ConfigureAwait(false);
    }

    public PrivacyBudgetPolicy Policy => inner.Policy;
    public BudgetWindow Window => inner.Window;
    public NodeIdentity NodeIdentity => inner.NodeIdentity;
    public PromptFingerprint PromptFingerprint => inner.PromptFingerprint;
    public string? GeneratedNodeKeyDirectory => inner.GeneratedNodeKeyDirectory;
    public string? ReadOnlyReason => inner.ReadOnlyReason;

    public bool StoppedByStorageFailure => inner.StoppedByStorageFailure;
    public QuantumEdge.Ledger.Batches.IBatchStateStore BatchStates => inner.BatchStates;
    public bool BackgroundVerificationDue => inner.BackgroundVerificationDue;
    public LedgerCommitStats? CommitStats => inner.CommitStats;

    public Task ApplyPolicyAsync(PrivacyBudgetPolicy policy, CancellationToken cancellationToken = default) =>
        Reach(async () => { await inner.ApplyPolicyAsync(policy, cancellationToken).ConfigureAwait(false); return 0; });
    public Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default) => Reach(() => inner.ChargeAsync(request, cancellationToken));
    public Task<RefundResult> RefundAsync(long chargeSeq, string? reason = null, CancellationToken cancellationToken = default) => Reach(() => inner.RefundAsync(chargeSeq, reason, cancellationToken));
    public Task<RefundResult> RefundAsync(long chargeSeq, string? reason, CommitTiming timing, CancellationToken cancellationToken = default) =>
        Reach(() => inner.RefundAsync(chargeSeq, reason, timing, cancellationToken));
    public Task<long> RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default) => Reach(() => inner.RecordAsync(entry, cancellationToken));
    public Task<long> RecordAsync(AuditEntry entry, CommitTiming timing, CancellationToken cancellationToken = default) => Reach(() => inner.RecordAsync(entry, timing, cancellationToken));
    public Task FlushAsync(CancellationToken cancellationToken = default) => Reach(async () => { await inner.FlushAsync(cancellationToken).ConfigureAwait(false); return 0; });
    public Task<UserBudget> GetBudgetAsync(string userId, string? department = null, CancellationToken cancellationToken = default) =>
        Reach(() => inner.GetBudgetAsync(userId, department, cancellationToken));
    public Task<IReadOnlyList<UserBudget>> ListBudgetsAsync(BudgetFilter? filter = null, CancellationToken cancellationToken = default) => Reach(() => inner.ListBudgetsAsync(filter, cancellationToken));
    public Task<BudgetReset> ResetBudgetAsync(string userId, AdminActor actor, CancellationToken cancellationToken = default) => Reach(() => inner.ResetBudgetAsync(userId, actor, cancellationToken));
    public Task<DataSubjectExport> ExportDataSubjectAsync(string userId, int maxRecords, CancellationToken cancellationToken = default) =>
        Reach(() => inner.ExportDataSubjectAsync(userId, maxRecords, cancellationToken));
    public Task<DataSubjectErasure> EraseDataSubjectAsync(string userId, AdminActor actor, CancellationToken cancellationToken = default) =>
        Reach(() => inner.EraseDataSubjectAsync(userId, actor, cancellationToken));
    public Task<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) => Reach(() => inner.VerifyAsync(cancellationToken));
    public Task<VerificationResult> VerifyInBackgroundAsync(CancellationToken cancellationToken = default) => Reach(() => inner.VerifyInBackgroundAsync(cancellationToken));
    public Task<(long Seq, byte[] Hash)> AuditHeadAsync(CancellationToken cancellationToken = default) => Reach(() => inner.AuditHeadAsync(cancellationToken));
    public Task<IReadOnlyList<AuditRecord>> ReadAuditAsync(long afterSeq, int max = 1000, CancellationToken cancellationToken = default) =>
        Reach(() => inner.ReadAuditAsync(afterSeq, max, cancellationToken));
    public Task<long> ExportAsync(Stream output, DateTimeOffset from, DateTimeOffset to, AuditExportFormat format, CancellationToken cancellationToken = default) =>
        Reach(() => inner.ExportAsync(output, from, to, format, cancellationToken));
    public Task<PrivacyReport> ReportAsync(DateTimeOffset from, DateTimeOffset to, bool incidentMode = false, CancellationToken cancellationToken = default) =>
        Reach(() => inner.ReportAsync(from, to, incidentMode, cancellationToken));
    public Task<RetentionResult> PruneAsync(CancellationToken cancellationToken = default) => Reach(() => inner.PruneAsync(cancellationToken));
    public Task<BackupManifest> BackupAsync(string directory, CancellationToken cancellationToken = default) => Reach(() => inner.BackupAsync(directory, cancellationToken));

    public void Dispose() => inner.Dispose();
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
