using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger;

/// <summary>How to open a <see cref="IPrivacyLedger"/>.</summary>
public sealed record LedgerOptions
{
    /// <summary>Directory holding ledger.db, its log, the head file and the lock file.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The MASTER_KEY secret. Required; never stored.</summary>
    public required string? MasterKey { get; init; }

    public PrivacyPolicyOptions Policy { get; init; } = new();

    /// <summary>IANA/Windows time zone id whose midnight starts a budget day.</summary>
    public string BudgetTimeZone { get; init; } = "UTC";

    /// <summary>
    /// Directory with quantum_private.pem. When set, the key must exist there. When null, the key
    /// lives under DATA_DIR/keys and is generated on first start (see <see cref="IPrivacyLedger.GeneratedNodeKeyDirectory"/>).
    /// </summary>
    public string? NodeKeyDirectory { get; init; }

    /// <summary>An already loaded identity (overrides <see cref="NodeKeyDirectory"/>); the ledger does not dispose it.</summary>
    public NodeIdentity? NodeIdentity { get; init; }

    /// <summary>Argon2id cost for new stores; existing stores use the parameters they were created with.</summary>
    public KdfParameters Kdf { get; init; } = KdfParameters.Default;

    public int AuditRetentionDays { get; init; } = 2555;

    public int DataRetentionDays { get; init; } = 90;

    /// <summary>
    /// A writable open verifies the whole ledger (every record, checkpoint, the head, every budget
    /// row) before it serves when the chain holds at most this many records; a longer chain is verified
    /// in the background instead (<see cref="IPrivacyLedger.VerifyInBackgroundAsync"/>). The default
    /// is about 2 s of start-up: a Release build verified a 100,000-record ledger at 8,800–22,500
    /// records/s (median 14,000) on a loaded 2-core machine.
    /// </summary>
    public long FullVerificationAtOpenMaxRecords { get; init; } = DefaultFullVerificationAtOpenMaxRecords;

    /// <summary>The default of <see cref="FullVerificationAtOpenMaxRecords"/>.</summary>
    public const long DefaultFullVerificationAtOpenMaxRecords = 25_000;

    /// <summary>Upper bound of operations applied in one group commit.</summary>
    public int MaxBatchSize { get; init; } = 4096;

    /// <summary>
    /// How long the writer holds a group of only <see cref="CommitTiming.Deferrable"/> writes (outcome
    /// records nobody waits on) for more before committing it, four times as long after a group of 64
    /// writes or more (<see cref="Writing.CommitLinger"/>); an immediate write, a full group or
    /// shutdown commits it at once. A crash typically loses the deferrable writes of about this long
    /// plus two commit times, but that is no bound: a backlog over <see cref="MaxBatchSize"/>, an
    /// exclusive operation (verify, backup, prune, a verification chunk, a policy reload), a failed
    /// group redone one write per transaction or a retried PostgreSQL commit holds them longer; never
    /// an immediate write. Zero commits every group as soon as the writer takes it.
    /// </summary>
    public TimeSpan DeferredCommitLinger { get; init; } = DefaultDeferredCommitLinger;

    /// <summary>The default of <see cref="DeferredCommitLinger"/>.</summary>
    public static readonly TimeSpan DefaultDeferredCommitLinger = TimeSpan.FromMilliseconds(2);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// This replica's name where several replicas share one ledger database (PostgreSQL): it names the
    /// audit chain this process appends to, so it must be unique among the replicas running at once
    /// (1–128 characters: letters, digits, '.', '_', '-'). Null: the host name (a Kubernetes pod's name).
    /// The embedded LiteDB ledger ignores it.
    /// </summary>
    public string? ReplicaId { get; init; }

    /// <summary>
    /// Open for reading only (verify, report, export): nothing on disk is created or changed (no
    /// database, head file, key or directory), every write is refused, and a missing ledger is an error.
    /// </summary>
    public bool ReadOnly { get; init; }
}
