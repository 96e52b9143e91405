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
/// A real ledger that fails the way a closed or broken engine can, with exceptions that are not
/// <see cref="LedgerException"/>s: <see cref="FlushFault"/> makes FlushAsync throw (after starting the
/// real flush), <see cref="RecordFault"/> makes a timed record's task fault once the record is durable.
/// </summary>
internal sealed class FaultingLedger(IPrivacyLedger inner) : IPrivacyLedger
{
    /// <summary>Thrown by FlushAsync when set.</summary>
    public Exception? FlushFault { get; set; }

    /// <summary>The fault of every timed RecordAsync's task when set.</summary>
    public Exception? RecordFault { get; set; }

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
        inner.ApplyPolicyAsync(policy, cancellationToken);
    public Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default) => inner.ChargeAsync(request, cancellationToken);
    public Task<RefundResult> RefundAsync(long chargeSeq, string? reason = null, CancellationToken cancellationToken = default) => inner.RefundAsync(chargeSeq, reason, cancellationToken);
    public Task<RefundResult> RefundAsync(long chargeSeq, string? reason, CommitTiming timing, CancellationToken cancellationToken = default) =>
        inner.RefundAsync(chargeSeq, reason, timing, cancellationToken);
    public Task<long> RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default) => inner.RecordAsync(entry, cancellationToken);
    public Task<long> RecordAsync(AuditEntry entry, CommitTiming timing, CancellationToken cancellationToken = default) =>
        RecordFault is { } fault ? FailAfterAsync(inner.RecordAsync(entry, timing, cancellationToken), fault) : inner.RecordAsync(entry, timing, cancellationToken);

    private static async Task<long> FailAfterAsync(Task<long> write, Exception fault)
    {
        await write.ConfigureAwait(false);
        throw fault;
    }

    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var flush = inner.FlushAsync(cancellationToken);
        // The inner flush still commits what is queued; only the caller sees a failure.
        return FlushFault is { } fault ? throw fault : flush;
    }

    public Task<UserBudget> GetBudgetAsync(string userId, string? department = null, CancellationToken cancellationToken = default) =>
        inner.GetBudgetAsync(userId, department, cancellationToken);
    public Task<IReadOnlyList<UserBudget>> ListBudgetsAsync(BudgetFilter? filter = null, CancellationToken cancellationToken = default) => inner.ListBudgetsAsync(filter, cancellationToken);
    public Task<BudgetReset> ResetBudgetAsync(string userId, AdminActor actor, CancellationToken cancellationToken = default) => inner.ResetBudgetAsync(userId, actor, cancellationToken);
    public Task<DataSubjectExport> ExportDataSubjectAsync(string userId, int maxRecords, CancellationToken cancellationToken = default) =>
        inner.ExportDataSubjectAsync(userId, maxRecords, cancellationToken);
    public Task<DataSubjectErasure> EraseDataSubjectAsync(string userId, AdminActor actor, CancellationToken cancellationToken = default) =>
        inner.EraseDataSubjectAsync(userId, actor, cancellationToken);
    public Task<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) => inner.VerifyAsync(cancellationToken);
    public Task<VerificationResult> VerifyInBackgroundAsync(CancellationToken cancellationToken = default) => inner.VerifyInBackgroundAsync(cancellationToken);
    public Task<(long Seq, byte[] Hash)> AuditHeadAsync(CancellationToken cancellationToken = default) => inner.AuditHeadAsync(cancellationToken);
    public Task<IReadOnlyList<AuditRecord>> ReadAuditAsync(long afterSeq, int max = 1000, CancellationToken cancellationToken = default) =>
        inner.ReadAuditAsync(afterSeq, max, cancellationToken);
    public Task<long> ExportAsync(Stream output, DateTimeOffset from, DateTimeOffset to, AuditExportFormat format, CancellationToken cancellationToken = default) =>
        inner.ExportAsync(output, from, to, format, cancellationToken);
    public Task<PrivacyReport> ReportAsync(DateTimeOffset from, DateTimeOffset to, bool incidentMode = false, CancellationToken cancellationToken = default) =>
        inner.ReportAsync(from, to, incidentMode, cancellationToken);
    public Task<RetentionResult> PruneAsync(CancellationToken cancellationToken = default) => inner.PruneAsync(cancellationToken);
    public Task<BackupManifest> BackupAsync(string directory, CancellationToken cancellationToken = default) => inner.BackupAsync(directory, cancellationToken);

    public void Dispose() => inner.Dispose();
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
