using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Backup;
using QuantumEdge.Ledger.Batches;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.Reports;
using QuantumEdge.Ledger.Retention;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger;

/// <summary>
/// The privacy ledger as the request path, admin surfaces, hosted services and CLI see it: per-user
/// daily budgets charged atomically and the tamper-evident, signed audit chain. Only domain records
/// cross this seam, so a storage engine (the embedded LiteDB file today, a shared SQL database for
/// several replicas tomorrow) can sit behind it without the callers knowing.
/// </summary>
/// <remarks>
/// Contract every implementation keeps: a returned task completes only once its write is durable
/// (an acknowledged charge survives a crash); a charge's check and its debit are one atomic step for
/// that user and day, however many processes share the store; every charge, refusal, refund and
/// admin action is audited in the same durable step as its effect. Implementations are thread-safe.
/// Storage failures surface as <see cref="LedgerException"/> (or its subclasses).
/// </remarks>
public interface IPrivacyLedger : IDisposable, IAsyncDisposable
{
    /// <summary>The privacy budget policy the ledger charges by.</summary>
    PrivacyBudgetPolicy Policy { get; }

    /// <summary>
    /// Replaces the budget policy (configuration reload): charges from the next write batch on are
    /// priced and limited by it; what users spent today stays spent.
    /// </summary>
    Task ApplyPolicyAsync(PrivacyBudgetPolicy policy, CancellationToken cancellationToken = default);

    /// <summary>The day boundaries budgets reset at.</summary>
    BudgetWindow Window { get; }

    /// <summary>The key that signs this node's chain checkpoints.</summary>
    NodeIdentity NodeIdentity { get; }

    /// <summary>Computes the prompt_hmac for audit records.</summary>
    PromptFingerprint PromptFingerprint { get; }

    /// <summary>
    /// Where opening this ledger generated a new node key because none was configured (the caller
    /// should log a warning), or null when an existing key was used.
    /// </summary>
    string? GeneratedNodeKeyDirectory { get; }

    /// <summary>
    /// Non-null when the ledger refuses writes, with the reason (tampering seen at open or by a later
    /// verification, or writes committed that could not be made durable: then until a restart). Reads, verification, export and reports still work; callers refuse charged
    /// traffic and report unhealthy while it is set.
    /// </summary>
    string? ReadOnlyReason { get; }

    /// <summary>
    /// True when the ledger refuses writes because committed writes could not be made durable (a failed
    /// fsync or head-file write) and no tampering was seen: an operator replaces or repairs the storage and
    /// restarts the node, rather than looking for an attacker. False while writable and for tampering.
    /// </summary>
    bool StoppedByStorageFailure { get; }

    /// <summary>True when the chain was too long to verify fully at open: <see cref="VerifyInBackgroundAsync"/> is due.</summary>
    bool BackgroundVerificationDue { get; }

    /// <summary>Write-batching figures for diagnostics, or null when the engine does not batch; never part of the contract.</summary>
    LedgerCommitStats? CommitStats { get; }

    /// <summary>The Batch API's batch and line state, kept in this ledger's storage engine.</summary>
    IBatchStateStore BatchStates { get; }

    /// <summary>Atomically checks and charges one query; audits admitted and refused charges alike.</summary>
    Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Releases an admitted charge whose request got no answer (audited; at most once per charge).</summary>
    Task<RefundResult> RefundAsync(long chargeSeq, string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="RefundAsync(long, string?, CancellationToken)"/> with a <paramref name="timing"/>:
    /// <see cref="CommitTiming.Deferrable"/> when nobody waits on it (it may share a later group commit).
    /// </summary>
    Task<RefundResult> RefundAsync(long chargeSeq, string? reason, CommitTiming timing, CancellationToken cancellationToken = default);

    /// <summary>Appends an audit record (request outcome, refusal, admin action); returns its seq.</summary>
    Task<long> RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="RecordAsync(AuditEntry, CancellationToken)"/> with a <paramref name="timing"/>:
    /// <see cref="CommitTiming.Deferrable"/> for a request's outcome record, which nobody waits on
    /// (it may share a later group commit; the task still completes only once it is durable).
    /// </summary>
    Task<long> RecordAsync(AuditEntry entry, CommitTiming timing, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes once every write queued before it is durable, without waiting out a deferrable
    /// group's linger (shutdown, or a reader that needs what was deferred on disk now).
    /// </summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>One user's budget for today.</summary>
    Task<UserBudget> GetBudgetAsync(string userId, string? department = null, CancellationToken cancellationToken = default);

    /// <summary>Admin view: every user's budget for a day, filterable by user and department.</summary>
    Task<IReadOnlyList<UserBudget>> ListBudgetsAsync(BudgetFilter? filter = null, CancellationToken cancellationToken = default);

    /// <summary>Audited admin reset of a user's budget for today; returns its audit seq and what it released.</summary>
    Task<BudgetReset> ResetBudgetAsync(string userId, AdminActor actor, CancellationToken cancellationToken = default);

    /// <summary>GDPR access: the user's pseudonym, budget rows and up to <paramref name="maxRecords"/> audit records about them.</summary>
    Task<DataSubjectExport> ExportDataSubjectAsync(string userId, int maxRecords, CancellationToken cancellationToken = default);

    /// <summary>GDPR erasure of the user's budget rows, audited in the same durable step; the chain stays verifiable.</summary>
    Task<DataSubjectErasure> EraseDataSubjectAsync(string userId, AdminActor actor, CancellationToken cancellationToken = default);

    /// <summary>Verifies the whole ledger (chain links, signed checkpoints and head, budget seals) on a consistent snapshot.</summary>
    Task<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Verifies the whole ledger while charges continue. When it finds tampering the ledger turns
    /// read-only, as if it had been found at open.
    /// </summary>
    Task<VerificationResult> VerifyInBackgroundAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The committed head of the audit chain: the newest durable record's seq (0 when empty) and its
    /// chain hash (federation publishes it for peers to witness).
    /// </summary>
    Task<(long Seq, byte[] Hash)> AuditHeadAsync(CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> decrypted records with seq greater than <paramref name="afterSeq"/>, in seq order.</summary>
    Task<IReadOnlyList<AuditRecord>> ReadAuditAsync(long afterSeq, int max = 1000, CancellationToken cancellationToken = default);

    /// <summary>Writes records with from &lt;= time &lt; to as JSONL or CSV; returns the count.</summary>
    Task<long> ExportAsync(Stream output, DateTimeOffset from, DateTimeOffset to, AuditExportFormat format,
        CancellationToken cancellationToken = default);

    /// <summary>Spends per department, refusals, admin actions and the verification result.</summary>
    Task<PrivacyReport> ReportAsync(DateTimeOffset from, DateTimeOffset to, bool incidentMode = false,
        CancellationToken cancellationToken = default);

    /// <summary>Prunes audit records and budget rows older than the configured retention (audited).</summary>
    Task<RetentionResult> PruneAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// A consistent online backup into <paramref name="directory"/> (new or empty; see
    /// <see cref="BackupTarget.Problem"/>) with a SHA-256 manifest.
    /// </summary>
    Task<BackupManifest> BackupAsync(string directory, CancellationToken cancellationToken = default);
}
