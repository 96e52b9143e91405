using System.Buffers;
using Npgsql;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Backup;
using QuantumEdge.Ledger.Batches;
using QuantumEdge.Ledger.Budgets;
using QuantumEdge.Ledger.Crypto;
using QuantumEdge.Ledger.LiteDb;
using QuantumEdge.Ledger.Reports;
using QuantumEdge.Ledger.Retention;
using QuantumEdge.Privacy;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>
/// The <see cref="IPrivacyLedger"/> for several replicas sharing one PostgreSQL database. Budgets
/// live in one table that every replica charges under row locks (atomic across replicas); each
/// replica appends to its own signed hash chain, named by <see cref="LedgerOptions.ReplicaId"/>, so
/// appends never contend; writes are group-committed per replica with synchronous_commit on.
/// An unreachable database surfaces as <see cref="LedgerUnavailableException"/> within the
/// connect/command timeouts, and the next call after it returns works without a restart.
/// </summary>
/// <remarks>
/// With several chains: <see cref="AuditHeadAsync"/>, <see cref="ReadAuditAsync"/> and the seqs in
/// <see cref="ChargeResult"/>/<see cref="RefundAsync(long, string?, CancellationToken)"/> are this replica's chain; another
/// replica's charge is found and refunded through <see cref="IReplicaChains"/>; <see cref="VerifyAsync"/> checks every chain; <see cref="ExportAsync"/>
/// merges every chain by time, each record naming its chain; <see cref="ReportAsync"/> counts and
/// verifies every chain. <see cref="BackupAsync"/> refuses: back up with pg_dump.
/// </remarks>
public sealed class PostgreSqlPrivacyLedger : IPrivacyLedger, IReplicaChains
{
    private const int ExportChunk = 2048;

    private readonly PostgreSqlStore _store;
    private readonly PostgreSqlGroupCommitWriter? _writer;
    private readonly LedgerOptions _options;
    private readonly bool _ownsIdentity;
    private int _disposed;

    private PostgreSqlPrivacyLedger(LedgerOptions options, PostgreSqlStore store, bool ownsIdentity, string? generatedKeyDirectory)
    {
        _options = options;
        _store = store;
        _ownsIdentity = ownsIdentity;
        GeneratedNodeKeyDirectory = generatedKeyDirectory;
        PromptFingerprint = new PromptFingerprint(store.Keys.PromptKey);
        _writer = options.ReadOnly ? null : new PostgreSqlGroupCommitWriter(store, options.MaxBatchSize, options.DeferredCommitLinger);
        BatchStates = new PostgreSqlBatchStateStore(store);
    }

    /// <inheritdoc />
    public IBatchStateStore BatchStates { get; }

    /// <summary>The audit chain this replica appends to.</summary>
    public string ReplicaId => _store.Chain;

    public PrivacyBudgetPolicy Policy => _store.Policy;

    public BudgetWindow Window => _store.Window;

    public NodeIdentity NodeIdentity => _store.Identity;

    public PromptFingerprint PromptFingerprint { get; }

    public string? GeneratedNodeKeyDirectory { get; }

    public string? ReadOnlyReason => _store.ReadOnlyReason;

    /// <summary>Always false: PostgreSQL reports each commit's outcome itself, so a storage failure fails that commit and the next one retries; only tampering makes this ledger read-only.</summary>
    public bool StoppedByStorageFailure => false;

    public bool BackgroundVerificationDue => _store.BackgroundVerificationDue;

    public LedgerCommitStats? CommitStats => _writer is null ? null : new LedgerCommitStats(_writer.Commits, _writer.Operations);

    /// <summary>
    /// Opens the ledger in the database <paramref name="connectionString"/> names (Npgsql keyword
    /// syntax; Timeout and Command Timeout default to 5 s and 10 s unless it sets them): migrates the
    /// schema (safe when replicas start together), creates or checks the key record (every replica
    /// needs the same MASTER_KEY and node key), creates this replica's chain, and verifies every chain
    /// when they hold at most <see cref="LedgerOptions.FullVerificationAtOpenMaxRecords"/> records
    /// (otherwise <see cref="BackgroundVerificationDue"/> is set). Throws
    /// <see cref="LedgerUnavailableException"/> when the database cannot be reached.
    /// </summary>
    public static async Task<PostgreSqlPrivacyLedger> OpenAsync(LedgerOptions options, string connectionString,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        if (string.IsNullOrEmpty(options.MasterKey))
        {
            throw new MasterKeyMissingException("MASTER_KEY is not set; the PostgreSQL ledger's keys are derived from it.");
        }

        var chain = ResolveReplicaId(options.ReplicaId);
        var window = BudgetWindow.FromId(options.BudgetTimeZone);
        var policy = new PrivacyBudgetPolicy(options.Policy);
        var ownsIdentity = options.NodeIdentity is null;
        var keysDirectory = NodeIdentity.GeneratedKeyDirectory(Path.GetFullPath(options.DataDirectory));
        var created = false;
        var identity = options.NodeIdentity
            ?? (options.NodeKeyDirectory is { } keyDir ? NodeIdentity.Load(keyDir)
                : options.ReadOnly ? NodeIdentity.Load(keysDirectory)
                : NodeIdentity.LoadOrCreate(keysDirectory, out created));
        NpgsqlDataSource? dataSource = null;
        LedgerKeys? keys = null;
        try
        {
            if (!identity.CanSign)
            {
                throw new LedgerException("The node identity has no private key; the ledger must sign its chain heads.");
            }

            dataSource = PostgreSqlConnection.CreateDataSource(connectionString);
            var now = options.TimeProvider.GetUtcNow().UtcTicks;
            await PostgreSqlErrors.GuardAsync(async () =>
            {
                if (options.ReadOnly)
                {
                    await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                    await PostgreSqlSchema.EnsureCurrentAsync(connection, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await PostgreSqlSchema.MigrateAsync(dataSource, now, cancellationToken).ConfigureAwait(false);
                }

                keys = await PostgreSqlKeyRecord.OpenOrCreateAsync(dataSource, options, identity, cancellationToken).ConfigureAwait(false);
                if (!options.ReadOnly)
                {
                    await PostgreSqlChains.EnsureAsync(dataSource, chain, identity, now, cancellationToken).ConfigureAwait(false);
                }

                return true;
            }).ConfigureAwait(false);

            var store = new PostgreSqlStore(dataSource, chain, keys!, identity, policy, window, options.TimeProvider, options.ReadOnly);
            var ledger = new PostgreSqlPrivacyLedger(options, store, ownsIdentity, created ? keysDirectory : null);
            try
            {
                await ledger.VerifyAtOpenAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                ledger.Dispose();
                throw;
            }

            return ledger;
        }
        catch when (keys is null)
        {
            // Before the store owns them (after that, the ledger's Dispose releases them).
            dataSource?.Dispose();
            if (ownsIdentity)
            {
                identity.Dispose();
            }

            throw;
        }
    }

    /// <summary>Synchronous <see cref="OpenAsync"/> for callers that open the ledger during start-up.</summary>
    public static PostgreSqlPrivacyLedger Open(LedgerOptions options, string connectionString) =>
        OpenAsync(options, connectionString).GetAwaiter().GetResult();

    /// <summary>The replica id as given, or the host name; refuses one that cannot name a chain.</summary>
    internal static string ResolveReplicaId(string? replicaId)
    {
        var id = string.IsNullOrWhiteSpace(replicaId) ? Environment.MachineName : replicaId.Trim();
        if (id.Length is 0 or > 128 || id.AsSpan().ContainsAnyExcept(ReplicaIdCharacters))
        {
            throw new LedgerException(
                $"The replica id '{id}' is not usable as an audit chain name: use 1-128 letters, digits, '.', '_' or '-'.");
        }

        return id;
    }

    private static readonly SearchValues<char> ReplicaIdCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    public Task ApplyPolicyAsync(PrivacyBudgetPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        // Between two batches: no charge is priced half by one policy and half by the other.
        return Writer.EnqueueExclusive((store, _) =>
        {
            store.Policy = policy;
            return Task.FromResult(true);
        });
    }

    public Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.UserId);
        cancellationToken.ThrowIfCancellationRequested();
        return Writer.Enqueue((tx, ct) => PostgreSqlBudgetOperations.ChargeAsync(tx, request, ct), _store.UserIndex.Hash(request.UserId));
    }

    public Task<RefundResult> RefundAsync(long chargeSeq, string? reason = null, CancellationToken cancellationToken = default) =>
        RefundAsync(chargeSeq, reason, CommitTiming.Immediate, cancellationToken);

    public Task<RefundResult> RefundAsync(long chargeSeq, string? reason, CommitTiming timing, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Writer.Enqueue((tx, ct) => PostgreSqlBudgetOperations.RefundAsync(tx, _store.Chain, chargeSeq, reason, ct), timing: timing);
    }

    /// <inheritdoc />
    public Task<RefundResult> RefundAsync(string chain, long chargeSeq, string? reason = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(chain);
        cancellationToken.ThrowIfCancellationRequested();
        return Writer.Enqueue((tx, ct) => PostgreSqlBudgetOperations.RefundAsync(tx, chain, chargeSeq, reason, ct));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ReplicaCharge>> FindUnrefundedChargesAsync(string requestIdPrefix, DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestIdPrefix);
        return ReadAsync<IReadOnlyList<ReplicaCharge>>(async connection =>
            await PostgreSqlAuditQueries.ReadUnrefundedChargesAsync(connection, requestIdPrefix, since.UtcTicks, cancellationToken).ConfigureAwait(false),
            cancellationToken);
    }

    public Task<long> RecordAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        RecordAsync(entry, CommitTiming.Immediate, cancellationToken);

    public Task<long> RecordAsync(AuditEntry entry, CommitTiming timing, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        return Writer.Enqueue((tx, _) => Task.FromResult(tx.AppendAudit(entry)), timing: timing);
    }

    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // An immediate no-op (a read-only ledger has no writer and nothing queued): it ends the linger,
        // and the writer commits in queue order.
        return _writer is null ? Task.CompletedTask : _writer.Enqueue(static (_, _) => Task.FromResult(true));
    }

    public Task<UserBudget> GetBudgetAsync(string userId, string? department = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return ReadAsync(async connection =>
        {
            var day = Window.DayKey(_store.Now());
            var rows = await PostgreSqlBudgetQueries.ReadAsync(_store, connection, "day = $1 AND user_hash = $2",
                [new NpgsqlParameter<string> { TypedValue = day }, new NpgsqlParameter<byte[]> { TypedValue = _store.UserIndex.Hash(userId) }],
                cancellationToken).ConfigureAwait(false);
            var row = rows.Count > 0 ? rows[0] : null;
            var state = row?.State ?? default;
            var stored = row?.Department is { } d ? _store.Cipher.Decrypt(BudgetRow.DepartmentAad, d) : null;
            var dept = department ?? stored;
            return new UserBudget
            {
                UserId = userId,
                Department = dept,
                DayKey = day,
                State = state,
                Spent = Policy.Spent(state),
                Budget = Policy.BudgetFor(dept),
            };
        }, cancellationToken);
    }

    public Task<IReadOnlyList<UserBudget>> ListBudgetsAsync(BudgetFilter? filter = null, CancellationToken cancellationToken = default)
    {
        filter ??= new BudgetFilter();
        return ReadAsync<IReadOnlyList<UserBudget>>(async connection =>
        {
            var day = filter.DayKey ?? Window.DayKey(_store.Now());
            List<NpgsqlParameter> parameters = [new NpgsqlParameter<string> { TypedValue = day }];
            if (filter.UserId is { } user)
            {
                parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = _store.UserIndex.Hash(user) });
            }

            var rows = await PostgreSqlBudgetQueries.ReadAsync(_store, connection, filter.UserId is null ? "day = $1" : "day = $1 AND user_hash = $2",
                parameters, cancellationToken).ConfigureAwait(false);
            var result = new List<UserBudget>();
            foreach (var row in rows)
            {
                var department = row.Department is { } d ? _store.Cipher.Decrypt(BudgetRow.DepartmentAad, d) : null;
                if (filter.Department is not null && !string.Equals(filter.Department, department, StringComparison.Ordinal))
                {
                    continue;
                }

                result.Add(new UserBudget
                {
                    UserId = row.User is { } u ? _store.Cipher.Decrypt(BudgetRow.UserAad, u) : "",
                    Department = department,
                    DayKey = row.Day,
                    State = row.State,
                    Spent = Policy.Spent(row.State),
                    Budget = Policy.BudgetFor(department),
                });
            }

            result.Sort((a, b) => string.CompareOrdinal(a.UserId, b.UserId));
            return result;
        }, cancellationToken);
    }

    public Task<BudgetReset> ResetBudgetAsync(string userId, AdminActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(actor);
        cancellationToken.ThrowIfCancellationRequested();
        return Writer.Enqueue((tx, ct) => PostgreSqlBudgetOperations.ResetAsync(tx, userId, actor, ct));
    }

    public Task<DataSubjectExport> ExportDataSubjectAsync(string userId, int maxRecords, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRecords);
        return ReadAsync(async connection =>
        {
            var userHash = _store.UserIndex.Hash(userId);
            var rows = await PostgreSqlBudgetQueries.ReadAsync(_store, connection, "user_hash = $1",
                [new NpgsqlParameter<byte[]> { TypedValue = userHash }], cancellationToken).ConfigureAwait(false);
            var budgets = rows.Select(row =>
            {
                var department = row.Department is { } d ? _store.Cipher.Decrypt(BudgetRow.DepartmentAad, d) : null;
                return new UserBudget
                {
                    UserId = userId,
                    Department = department,
                    DayKey = row.Day,
                    State = row.State,
                    Spent = Policy.Spent(row.State),
                    Budget = Policy.BudgetFor(department),
                };
            }).ToList();
            var records = await PostgreSqlAuditQueries.ReadUserAsync(connection, userHash, maxRecords + 1, cancellationToken).ConfigureAwait(false);
            var truncated = records.Count > maxRecords;
            return new DataSubjectExport(Convert.ToHexStringLower(userHash), budgets,
                records.Take(maxRecords).Select(r => r.ToRecord(_store.Cipher)).ToList(), truncated);
        }, cancellationToken);
    }

    public Task<DataSubjectErasure> EraseDataSubjectAsync(string userId, AdminActor actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(actor);
        cancellationToken.ThrowIfCancellationRequested();
        return Writer.Enqueue((tx, ct) => PostgreSqlBudgetOperations.EraseAsync(tx, userId, actor, ct));
    }

    /// <summary>Verifies every chain and every budget row on one snapshot; writers do not wait for it.</summary>
    public Task<VerificationResult> VerifyAsync(CancellationToken cancellationToken = default) =>
        WithStaleConnectionRetryAsync(() => PostgreSqlChainVerifier.VerifyAsync(_store, cancellationToken));

    public async Task<VerificationResult> VerifyInBackgroundAsync(CancellationToken cancellationToken = default)
    {
        var result = await VerifyAsync(cancellationToken).ConfigureAwait(false);
        _store.BackgroundVerificationDue = false;
        if (!result.IsValid)
        {
            _store.ReadOnlyReason ??= $"background verification found tampering: {result}";
        }

        return result;
    }

    /// <summary>This replica's chain head: its newest committed record's seq and hash.</summary>
    public Task<(long Seq, byte[] Hash)> AuditHeadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_writer is null)
        {
            return ReadAsync(connection => PostgreSqlChains.ReadHeadAsync(connection, _store.Chain, cancellationToken), cancellationToken);
        }

        return _writer.EnqueueExclusive(async (store, ct) =>
        {
            if (store.HeadStale)
            {
                await using var connection = await store.DataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                var (seq, hash) = await PostgreSqlChains.ReadHeadAsync(connection, store.Chain, ct).ConfigureAwait(false);
                store.SetHead(seq, hash);
            }

            return (store.Head.Seq, (byte[])store.Head.Hash.Clone());
        });
    }

    /// <summary>Up to <paramref name="max"/> records of this replica's chain with seq greater than <paramref name="afterSeq"/>.</summary>
    public Task<IReadOnlyList<AuditRecord>> ReadAuditAsync(long afterSeq, int max = 1000, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<AuditRecord>>(async connection =>
        {
            var rows = await PostgreSqlAuditQueries.ReadChainAsync(connection, null, _store.Chain, afterSeq, max, cancellationToken).ConfigureAwait(false);
            return rows.Select(r => r.ToRecord(_store.Cipher)).ToList();
        }, cancellationToken);

    /// <summary>Every chain's records with from &lt;= time &lt; to, merged by time, each naming its chain.</summary>
    /// <remarks>Not retried on a stale connection: part of the output may already be written; the pool is cleared for the next call.</remarks>
    public async Task<long> ExportAsync(Stream output, DateTimeOffset from, DateTimeOffset to, AuditExportFormat format,
        CancellationToken cancellationToken = default)
    {
        try
        {
            return await AuditExporter.ExportAsync(
                DecryptAsync(PostgreSqlAuditQueries.ReadMergedAsync(_store.DataSource, from.UtcTicks, to.UtcTicks, ExportChunk, cancellationToken)),
                output, format, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not LedgerException && PostgreSqlErrors.IsUnavailable(ex))
        {
            _store.DataSource.Clear();
            throw PostgreSqlErrors.Unavailable(ex);
        }
    }

    /// <summary>Spends per department, refusals and admin actions over every chain, and the verification of them all.</summary>
    public Task<PrivacyReport> ReportAsync(DateTimeOffset from, DateTimeOffset to, bool incidentMode = false,
        CancellationToken cancellationToken = default) =>
        WithStaleConnectionRetryAsync(() => PrivacyReportBuilder.BuildAsync(this,
            DecryptAsync(PostgreSqlAuditQueries.ReadMergedAsync(_store.DataSource, long.MinValue, long.MaxValue, ExportChunk, cancellationToken)),
            _options.TimeProvider.GetUtcNow(), from, to, incidentMode, cancellationToken));

    public Task<RetentionResult> PruneAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Writer.EnqueueExclusive((store, ct) =>
            PostgreSqlRetentionPruner.PruneAsync(store, _options.AuditRetentionDays, _options.DataRetentionDays, ct));
    }

    /// <summary>
    /// Refuses with the procedure: a shared database is backed up by PostgreSQL's own tools, which
    /// take one consistent snapshot of every replica's chain and need no node to be stopped.
    /// </summary>
    public Task<BackupManifest> BackupAsync(string directory, CancellationToken cancellationToken = default) =>
        Task.FromException<BackupManifest>(new LedgerException(BackupProcedure));

    /// <summary>What <see cref="BackupAsync"/> answers: how to back up and restore the PostgreSQL ledger.</summary>
    public const string BackupProcedure =
        "The PostgreSQL ledger is backed up with PostgreSQL's tools, not by the node: " +
        "'pg_dump --format=custom --file=ledger.dump \"$QUANTUMEDGE_POSTGRES_URL\"' takes one consistent snapshot of every replica's chain while the nodes run " +
        "(or use continuous WAL archiving / point-in-time recovery, e.g. CloudNativePG backups). " +
        "Restore into an empty database with 'pg_restore --exit-on-error --no-owner --dbname=\"$TARGET_URL\" ledger.dump', " +
        "then run 'quantumedge audit verify' against it (same MASTER_KEY and node key) before pointing the replicas at it.";

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _writer?.Dispose();
        _store.Dispose();
        if (_ownsIdentity)
        {
            _store.Identity.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private PostgreSqlGroupCommitWriter Writer =>
        _writer ?? throw new LedgerException("The PostgreSQL ledger was opened for reading only.");

    private async Task VerifyAtOpenAsync(CancellationToken cancellationToken)
    {
        var records = await ReadAsync(async connection =>
        {
            await using var count = new NpgsqlCommand("SELECT count(*) FROM qe_audit", connection);
            return (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }, cancellationToken).ConfigureAwait(false);
        if (records > _options.FullVerificationAtOpenMaxRecords)
        {
            _store.BackgroundVerificationDue = true;
            return;
        }

        var result = await VerifyAsync(cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            _store.ReadOnlyReason = $"verification at open found tampering: {result}";
        }
    }

    private Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> body, CancellationToken cancellationToken) =>
        WithStaleConnectionRetryAsync(async () =>
        {
            await using var connection = await _store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await body(connection).ConfigureAwait(false);
        });

    /// <summary>
    /// Runs a read (safe to repeat) with <see cref="LedgerUnavailableException"/> for an unreachable
    /// database. The pool is cleared on such a failure, and a failure on a pooled connection the server
    /// closed while it restarted is retried once on a fresh one, so the first read after the database
    /// returns works even on a replica that made no call while it was down.
    /// </summary>
    private async Task<T> WithStaleConnectionRetryAsync<T>(Func<Task<T>> body)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await body().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not LedgerException && PostgreSqlErrors.IsUnavailable(ex))
            {
                _store.DataSource.Clear();
                if (attempt > 1 || !PostgreSqlErrors.IsStaleConnection(ex))
                {
                    throw PostgreSqlErrors.Unavailable(ex);
                }
            }
        }
    }

    private async IAsyncEnumerable<AuditRecord> DecryptAsync(IAsyncEnumerable<PostgreSqlAuditRow> rows)
    {
        await foreach (var row in rows.ConfigureAwait(false))
        {
            yield return row.ToRecord(_store.Cipher);
        }
    }
}
