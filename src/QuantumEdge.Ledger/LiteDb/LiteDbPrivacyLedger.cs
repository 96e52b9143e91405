using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Backup;
using QuantumEdge.Ledger.Batches;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.Reports;
using QuantumEdge.Ledger.Retention;
using QuantumEdge.Ledger.Storage;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// The embedded <see cref="IPrivacyLedger"/>: per-user daily budgets charged atomically and the
/// tamper-evident audit chain, in one LiteDB file under the data directory (held by one process
/// through a lock file), with one writer thread and group commit. Every returned task completes
/// only after its write is fsynced. Thread-safe.
/// </summary>
public sealed class LiteDbPrivacyLedger : IPrivacyLedger
{
    private readonly DataDirectoryLock _lock;
    private readonly LedgerStore _store;
    private readonly GroupCommitWriter _writer;
    private readonly bool _ownsIdentity;
    private int _disposed;

    private LiteDbPrivacyLedger(LedgerOptions options, DataDirectoryLock directoryLock, LedgerStore store, bool nodeKeyCreated, bool ownsIdentity)
    {
        Options = options;
        _lock = directoryLock;
        _store = store;
        _ownsIdentity = ownsIdentity;
        NodeKeyCreated = nodeKeyCreated;
        PromptFingerprint = new PromptFingerprint(store.Keys.PromptKey);
        _writer = new GroupCommitWriter(store, options.MaxBatchSize, options.DeferredCommitLinger);
        BatchStates = new LiteDbBatchStateStore(_writer);
    }

    /// <inheritdoc />
    public IBatchStateStore BatchStates { get; }

    /// <summary>The options this ledger was opened with.</summary>
    public LedgerOptions Options { get; }

    internal LedgerPaths Paths => _store.Paths;

    public PrivacyBudgetPolicy Policy => _store.Policy;

    /// <inheritdoc/>
    public Task ApplyPolicyAsync(PrivacyBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        // Between two batches: no charge is priced half by one policy and half by the other.
        return _writer.Enqueue(store =>
        {
            store.Policy = policy;
            return true;
        }, exclusive: true);
    }

    public BudgetWindow Window => _store.Window;

    public NodeIdentity NodeIdentity => _store.Identity;

    /// <summary>True when this open generated the node key under DATA_DIR/keys (the caller should log a warning).</summary>
    public bool NodeKeyCreated { get; }

    /// <inheritdoc />
    public string? GeneratedNodeKeyDirectory => NodeKeyCreated ? _store.Paths.DefaultKeysDirectory : null;

    /// <summary>Computes the prompt_hmac for audit records.</summary>
    public PromptFingerprint PromptFingerprint { get; }

    /// <summary>
    /// Non-null when tampering was seen (at open or by a later full verification): writes are refused, reads and Verify work;
    /// or when committed writes could not be made durable: the writer has stopped until the node restarts.
    /// </summary>
    public string? ReadOnlyReason => _store.ReadOnlyReason ?? _writer.Fault?.Message;

    /// <inheritdoc />
    public bool StoppedByStorageFailure => _store.ReadOnlyReason is null && _writer.Fault is not null;

    /// <summary>Group commits so far (each one fsync round).</summary>
    public long GroupCommits => _writer.Commits;

    /// <summary>Operations applied by those commits.</summary>
    public long OperationsCommitted => _writer.Operations;

    /// <summary>Bytes the writer thread allocated so far (see <see cref="GroupCommitWriter.AllocatedBytes"/>).</summary>
    internal long WriterAllocatedBytes => _writer.AllocatedBytes;

    /// <inheritdoc />
    public LedgerCommitStats? CommitStats => new LedgerCommitStats(_writer.Commits, _writer.Operations);

    /// <summary>
    /// Opens (or creates) the ledger. Throws <see cref="MasterKeyMissingException"/>,
    /// <see cref="MasterKeyMismatchException"/>, <see cref="LedgerCorruptException"/>,
    /// <see cref="LedgerMissingException"/> (a signed head proves records existed, but the database is
    /// missing or empty; nothing is created then) or <see cref="LedgerLockedException"/> with a
    /// message naming the problem.
    /// </summary>
    public static LiteDbPrivacyLedger Open(LedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var paths = new LedgerPaths(Path.GetFullPath(options.DataDirectory));
        if (options.ReadOnly)
        {
            if (!Directory.Exists(paths.DataDirectory))
            {
                throw new LedgerMissingException($"There is no ledger at '{paths.Database}': the directory '{paths.DataDirectory}' does not exist.");
            }
        }
        else
        {
            FileModes.CreatePrivateDirectory(paths.DataDirectory);
        }

        RefuseEntriesThatAreNotFiles(paths);
        var window = BudgetWindow.FromId(options.BudgetTimeZone);
        var policy = new PrivacyBudgetPolicy(options.Policy);
        var directoryLock = options.ReadOnly ? DataDirectoryLock.AcquireExisting(paths.Lock) : DataDirectoryLock.Acquire(paths.Lock);
        NodeIdentity? identity = null;
        var ownsIdentity = options.NodeIdentity is null;
        try
        {
            var created = false;
            identity = options.NodeIdentity
                ?? (options.NodeKeyDirectory is { } keyDir ? NodeIdentity.Load(keyDir)
                    : options.ReadOnly ? NodeIdentity.Load(paths.DefaultKeysDirectory)
                    : NodeIdentity.LoadOrCreate(paths.DefaultKeysDirectory, out created));
            if (!identity.CanSign)
            {
                throw new LedgerException("The node identity has no private key; the ledger must sign checkpoints.");
            }

            var store = StoreOpener.Open(options, paths, identity, policy, window);
            return new LiteDbPrivacyLedger(options, directoryLock, store, created, ownsIdentity);
        }
        catch
        {
            if (ownsIdentity)
            {
                identity?.Dispose();
            }

            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Before the lock is taken or anything created: each of the ledger's files is absent or a regular file.
    /// A FIFO would block the opener for ever, a link or device would send the writes elsewhere.
    /// </summary>
    private static void RefuseEntriesThatAreNotFiles(LedgerPaths paths)
    {
        foreach (var file in (ReadOnlySpan<string>)[paths.Lock, paths.Database, paths.Log, paths.Head])
        {
            if (FileTypes.NotRegular(file) is { } kind)
            {
                throw new LedgerCorruptException(
                    $"'{file}' is {kind}, not a regular file; the ledger keeps only regular files in its data directory. Nothing was created or changed: move it aside (or restore the ledger from a backup).");
            }
        }
    }

    /// <summary>Atomically checks and charges one query; audits admitted and refused charges alike.</summary>
    public Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.UserId);
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => BudgetOperations.Charge(store, request));
    }

    /// <summary>Releases an admitted charge whose request got no answer (audited; at most once per charge).</summary>
    public Task<RefundResult> RefundAsync(long chargeSeq, string? reason = null, CancellationToken cancellationToken = default) =>
        RefundAsync(chargeSeq, reason, CommitTiming.Immediate, cancellationToken);

    /// <inheritdoc />
    public Task<RefundResult> RefundAsync(long chargeSeq, string? reason, CommitTiming timing, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => BudgetOperations.Refund(store, chargeSeq, reason), timing: timing);
    }

    /// <summary>Appends an audit record (request outcome, refusal, admin action); returns its seq.</summary>
    public Task<long> RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        RecordAsync(entry, CommitTiming.Immediate, cancellationToken);

    /// <inheritdoc />
    public Task<long> RecordAsync(AuditEntry entry, CommitTiming timing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => store.AppendAudit(entry), timing: timing);
    }

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // An immediate no-op: it ends the linger, and the writer commits in queue order.
        return _writer.Enqueue(static _ => true);
    }

    /// <summary>One user's budget for today.</summary>
    public Task<UserBudget> GetBudgetAsync(string userId, string? department = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => BudgetOperations.Get(store, userId, department));
    }

    /// <summary>Admin view: every user's budget for a day, filterable by user and department.</summary>
    public Task<IReadOnlyList<UserBudget>> ListBudgetsAsync(BudgetFilter? filter = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => BudgetOperations.List(store, filter ?? new BudgetFilter()));
    }

    /// <summary>Audited admin reset of a user's budget for today; returns its audit seq and what it released.</summary>
    public Task<BudgetReset> ResetBudgetAsync(string userId, AdminActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(actor);
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => BudgetOperations.Reset(store, userId, actor));
    }

    /// <inheritdoc />
    public Task<DataSubjectExport> ExportDataSubjectAsync(string userId, int maxRecords, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => DataSubjectOperations.Export(store, userId, maxRecords));
    }

    /// <inheritdoc />
    public Task<DataSubjectErasure> EraseDataSubjectAsync(string userId, AdminActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(actor);
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => DataSubjectOperations.Erase(store, userId, actor));
    }

    /// <summary>Verifies the whole chain (a consistent snapshot: writes wait meanwhile).</summary>
    public Task<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => new ChainVerifier(store).Verify(), exclusive: true);
    }

    /// <summary>True when the chain was too long to verify fully at open: <see cref="VerifyInBackgroundAsync"/> is due.</summary>
    public bool BackgroundVerificationDue => _store.BackgroundVerificationDue;

    /// <summary>
    /// Verifies the whole ledger in chunks between group commits, so that charges continue meanwhile
    /// (records appended during the run are verified too; a retention prune starts it over). When
    /// it finds tampering the ledger turns read-only, as if it had been found at open.
    /// </summary>
    public async Task<VerificationResult> VerifyInBackgroundAsync(CancellationToken cancellationToken = default)
    {
        ChainVerifier? verifier = null;
        var epoch = 0L;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var done = await _writer.Enqueue(store =>
            {
                if (verifier is null || store.ChainEpoch != epoch)
                {
                    verifier = new ChainVerifier(store, ChainVerifier.BackgroundChunkSize);
                    epoch = store.ChainEpoch;
                }

                if (!verifier.Step())
                {
                    return false;
                }

                store.BackgroundVerificationDue = false;
                if (!verifier.Result!.IsValid)
                {
                    store.ReadOnlyReason ??= $"background verification found tampering: {verifier.Result}";
                }

                return true;
            }, exclusive: true).ConfigureAwait(false);
            if (done)
            {
                return verifier!.Result!;
            }
        }
    }

    /// <summary>
    /// The committed head of the audit chain: the newest record's seq (0 when empty) and its chain
    /// hash. Read between group commits, so it names a durable record (federation publishes it for
    /// its peers to witness).
    /// </summary>
    public Task<(long Seq, byte[] Hash)> AuditHeadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => (store.LastSeq, (byte[])store.LastHash.Clone()), exclusive: true);
    }

    /// <summary>Up to <paramref name="max"/> decrypted records with seq greater than <paramref name="afterSeq"/>.</summary>
    public Task<IReadOnlyList<AuditRecord>> ReadAuditAsync(long afterSeq, int max = 1000, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue<IReadOnlyList<AuditRecord>>(store => AuditReader.Read(store, afterSeq, max));
    }

    /// <summary>Writes records with from &lt;= time &lt; to as JSONL or CSV; returns the count.</summary>
    public Task<long> ExportAsync(Stream output, DateTimeOffset from, DateTimeOffset to, AuditExportFormat format,
        CancellationToken cancellationToken = default) =>
        AuditExporter.ExportAsync(this, output, from, to, format, cancellationToken);

    /// <summary>Spends per department, refusals, admin actions and the verification result.</summary>
    public Task<PrivacyReport> ReportAsync(DateTimeOffset from, DateTimeOffset to, bool incidentMode = false,
        CancellationToken cancellationToken = default) =>
        PrivacyReportBuilder.BuildAsync(this, Options.TimeProvider.GetUtcNow(), from, to, incidentMode, cancellationToken);

    /// <summary>Prunes audit records older than AuditRetentionDays and budget rows older than DataRetentionDays.</summary>
    public Task<RetentionResult> PruneAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => RetentionPruner.Prune(store, Options.AuditRetentionDays, Options.DataRetentionDays), exclusive: true);
    }

    /// <summary>Consistent online snapshot into <paramref name="directory"/> with a SHA-256 manifest.</summary>
    public Task<BackupManifest> BackupAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        cancellationToken.ThrowIfCancellationRequested();
        return _writer.Enqueue(store => LedgerBackup.Write(store, Path.GetFullPath(directory)), exclusive: true);
    }

    /// <summary>
    /// Restores a backup into <paramref name="target"/>'s data directory (the node stopped): the
    /// files are checked against the manifest and the staged copy is verified whole before anything
    /// is replaced.
    /// </summary>
    public static Task<RestoreResult> RestoreAsync(string backupDirectory, LedgerOptions target) =>
        LedgerBackup.RestoreAsync(backupDirectory, target);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _writer.Dispose();
        _store.Dispose();
        if (_ownsIdentity)
        {
            _store.Identity.Dispose();
        }

        _lock.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
