using System.Data;
using Npgsql;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.LiteDb;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>
/// One group commit: a database transaction (synchronous_commit on) in which a batch of operations
/// locks the budget rows it touches, changes them in memory, appends its audit records to this
/// replica's chain, and then writes everything in one round trip before COMMIT.
/// </summary>
/// <remarks>
/// The check-and-charge is atomic across replicas through row locks: <see cref="LockBudgetsAsync"/>
/// takes every row of the batch in one INSERT … ON CONFLICT DO UPDATE … RETURNING statement (a new
/// row is inserted, an existing one locked, and either way the latest committed state comes back),
/// in sorted key order so that two replicas' batches cannot deadlock on each other's rows. Another
/// replica charging the same user and day waits for this COMMIT and then reads the state it left.
/// The policy's spend (a minimum over Rényi orders) is evaluated in C# on that locked state, the
/// very code the embedded ledger runs, rather than re-implemented in SQL.
/// </remarks>
internal sealed class PostgreSqlTransaction : IAsyncDisposable
{
    private const string LockSql =
        "INSERT INTO qe_budgets AS b (day, user_hash, expires_ticks, user_blob, department, queries, rdp_rate, basic_epsilon, mac) " +
        "SELECT k.day, k.user_hash, k.expires_ticks, NULL, NULL, 0, 0, 0, k.mac " +
        "FROM unnest($1::text[], $2::bytea[], $3::bigint[], $4::bytea[]) AS k(day, user_hash, expires_ticks, mac) " +
        "ON CONFLICT (day, user_hash) DO UPDATE SET day = b.day " +
        "RETURNING b.day, b.user_hash, b.expires_ticks, b.user_blob, b.department, b.queries, b.rdp_rate, b.basic_epsilon, b.mac, (b.xmax = 0)";

    private readonly Dictionary<string, LockedRow> _rows = new(StringComparer.Ordinal);
    private readonly List<(StoredAuditFields Fields, byte[] Hash)> _appended = [];
    private readonly List<(string Chain, long Charge, long Refund)> _refunds = [];
    private readonly CanonicalEncoder _encoder = new();

    private PostgreSqlTransaction(PostgreSqlStore store, NpgsqlConnection connection, NpgsqlTransaction transaction, long seq, byte[] hash)
    {
        Store = store;
        Connection = connection;
        Transaction = transaction;
        LastSeq = seq;
        LastHash = hash;
        Now = store.Now();
    }

    public PostgreSqlStore Store { get; }
    public NpgsqlConnection Connection { get; }
    public NpgsqlTransaction Transaction { get; }

    /// <summary>The batch's clock reading: every operation in it is stamped with the same time.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>This chain's head including the records appended so far in this transaction.</summary>
    public long LastSeq { get; private set; }

    public byte[] LastHash { get; private set; }

    /// <summary>True once COMMIT was sent: a failure after that leaves the outcome unknown, so the batch must not be rerun.</summary>
    public bool CommitSent { get; private set; }

    public int Appended => _appended.Count;

    public static async Task<PostgreSqlTransaction> BeginAsync(PostgreSqlStore store, CancellationToken cancellationToken)
    {
        var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
            await using (var setup = new NpgsqlCommand("SET LOCAL synchronous_commit = on", connection, transaction))
            {
                await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            if (store.HeadStale)
            {
                var (seq, hash) = await PostgreSqlChains.ReadHeadAsync(connection, store.Chain, cancellationToken).ConfigureAwait(false);
                store.SetHead(seq, hash);
            }

            var head = store.Head;
            return new PostgreSqlTransaction(store, connection, transaction, head.Seq, head.Hash);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Locks (creating where missing) the rows of these users for the batch's budget day.</summary>
    public Task LockTodayAsync(IEnumerable<byte[]> userHashes, CancellationToken cancellationToken) =>
        LockBudgetsAsync(Store.Window.DayKey(Now), Store.Window.NextWindowStart(Now).UtcTicks, userHashes, cancellationToken);

    /// <summary>Locks (creating where missing) the rows of these users for one budget day; a row created here and left unchanged is removed at commit.</summary>
    public async Task LockBudgetsAsync(string day, long expires, IEnumerable<byte[]> userHashes, CancellationToken cancellationToken)
    {
        var wanted = userHashes
            .Select(hash => (Id: BudgetRow.MakeId(day, hash), Hash: hash))
            .Where(k => !_rows.ContainsKey(k.Id))
            .DistinctBy(k => k.Id, StringComparer.Ordinal)
            .OrderBy(k => k.Id, StringComparer.Ordinal)
            .ToList();
        if (wanted.Count == 0)
        {
            return;
        }

        var macs = wanted.Select(k => Store.BudgetSeal.Compute(new BudgetRow
        {
            Id = k.Id, Day = day, ExpiresTicks = expires, UserHash = k.Hash, State = default,
        })).ToArray();
        await using var command = new NpgsqlCommand(LockSql, Connection, Transaction);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = wanted.Select(_ => day).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = wanted.Select(k => k.Hash).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = wanted.Select(_ => expires).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = macs });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new BudgetRow
            {
                Id = BudgetRow.MakeId(reader.GetString(0), reader.GetFieldValue<byte[]>(1)),
                Day = reader.GetString(0),
                ExpiresTicks = reader.GetInt64(2),
                UserHash = reader.GetFieldValue<byte[]>(1),
                User = reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3),
                Department = reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4),
                State = new Privacy.BudgetState(reader.GetInt64(5), reader.GetDouble(6), reader.GetDouble(7)),
            };
            var mac = reader.GetFieldValue<byte[]>(8);
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(mac, Store.BudgetSeal.Compute(row)))
            {
                Store.ReadOnlyReason = $"budget row '{row.Id}' does not match its MAC (its spend was changed outside the node)";
                throw new LedgerTamperedException($"The ledger is read-only: {Store.ReadOnlyReason}. Run 'quantumedge audit verify'.");
            }

            _rows[row.Id] = new LockedRow(row, Inserted: reader.GetBoolean(9));
        }
    }

    /// <summary>A row locked by <see cref="LockTodayAsync"/> in this transaction.</summary>
    public BudgetRow LockedToday(byte[] userHash) => _rows[BudgetRow.MakeId(Store.Window.DayKey(Now), userHash)].Row;

    public BudgetRow? LockedOrNull(string id) => _rows.TryGetValue(id, out var locked) ? locked.Row : null;

    /// <summary>Marks a locked row changed: it is written (with a new MAC) at commit.</summary>
    public void Save(BudgetRow row)
    {
        Store.EnsureWritable();
        _rows[row.Id] = _rows[row.Id] with { Dirty = true };
    }

    /// <summary>Forgets a row deleted in this transaction (GDPR erasure).</summary>
    public void Forget(string id) => _rows.Remove(id);

    public void AddRefund(string chain, long chargeSeq, long refundSeq) => _refunds.Add((chain, chargeSeq, refundSeq));

    public bool RefundedInThisBatch(string chain, long chargeSeq) => _refunds.Exists(r => r.Charge == chargeSeq && r.Chain == chain);

    public long AppendAudit(AuditEntry entry)
    {
        var userHash = entry.UserId is null ? null : Store.UserIndex.Hash(entry.UserId);
        var user = entry.UserId is null ? null : Store.Cipher.EncryptCached(AuditFields.UserAad, entry.UserId);
        var department = entry.Department is null ? null : Store.Cipher.EncryptCached(AuditFields.DepartmentAad, entry.Department);
        return AppendAudit(entry, userHash, user, department);
    }

    /// <summary>Appends to this replica's chain with already-encrypted user and department blobs.</summary>
    public long AppendAudit(AuditEntry entry, byte[]? userHash, byte[]? user, byte[]? department)
    {
        Store.EnsureWritable();
        var fields = new StoredAuditFields(LastSeq + 1, Now.UtcTicks, (int)entry.EventType, entry.RequestId, userHash, user, entry.Role,
            department, entry.Classification, entry.Backend, entry.Model, entry.PromptTokens, entry.CompletionTokens, entry.HttpStatus,
            entry.LatencyMs, entry.Decision, entry.EpsilonCharged, entry.PromptHmac, entry.Detail, entry.RelatedSeq, LastHash);
        var hash = AuditRecordHash.Compute(fields, _encoder);
        _appended.Add((fields, hash));
        LastSeq = fields.Seq;
        LastHash = hash;
        return fields.Seq;
    }

    /// <summary>Writes the changed rows, the appended records, the refunds and the new signed head, then commits.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(Connection, Transaction);
        AddRowWrites(batch);
        NpgsqlBatchCommand? moveHead = null;
        if (_appended.Count > 0)
        {
            AddAuditInsert(batch);
            var head = SignedChainPoint.Sign(ChainPointKind.Checkpoint, LastSeq, LastHash, Now.UtcTicks, Store.Identity);
            moveHead = PostgreSqlChains.UpdateHead(Store.Chain, head);
            batch.BatchCommands.Add(moveHead);
        }

        if (_refunds.Count > 0)
        {
            var refunds = new NpgsqlBatchCommand(
                "INSERT INTO qe_refunds (chain, charge_seq, refund_seq) SELECT h, c, r FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS x(h, c, r)");
            refunds.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = _refunds.Select(r => r.Chain).ToArray() });
            refunds.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = _refunds.Select(r => r.Charge).ToArray() });
            refunds.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = _refunds.Select(r => r.Refund).ToArray() });
            batch.BatchCommands.Add(refunds);
        }

        if (batch.BatchCommands.Count > 0)
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        if (moveHead is { RecordsAffected: not 1 })
        {
            throw ChainConflict(Store.Chain);
        }

        CommitSent = true;
        try
        {
            await Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (PostgreSqlErrors.IsUnavailable(ex))
        {
            // The server may have committed: said as such (not "nothing was written"), and the head is read again.
            Store.HeadStale = true;
            Store.DataSource.Clear();
            throw PostgreSqlErrors.CommitOutcomeUnknown(ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
    }

    private void AddRowWrites(NpgsqlBatch batch)
    {
        var dirty = _rows.Values.Where(r => r.Dirty).Select(r => r.Row).ToList();
        if (dirty.Count > 0)
        {
            var update = new NpgsqlBatchCommand(
                "UPDATE qe_budgets AS b SET user_blob = u.user_blob, department = u.department, queries = u.queries, rdp_rate = u.rdp_rate, " +
                "basic_epsilon = u.basic_epsilon, mac = u.mac " +
                "FROM unnest($1::text[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bigint[], $6::float8[], $7::float8[], $8::bytea[]) " +
                "AS u(day, user_hash, user_blob, department, queries, rdp_rate, basic_epsilon, mac) " +
                "WHERE b.day = u.day AND b.user_hash = u.user_hash");
            update.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = dirty.Select(r => r.Day).ToArray() });
            update.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = dirty.Select(r => r.UserHash).ToArray() });
            update.Parameters.Add(Blobs(dirty.Select(r => r.User)));
            update.Parameters.Add(Blobs(dirty.Select(r => r.Department)));
            update.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = dirty.Select(r => r.State.Queries).ToArray() });
            update.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = dirty.Select(r => r.State.RdpRate).ToArray() });
            update.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = dirty.Select(r => r.State.BasicEpsilon).ToArray() });
            update.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = dirty.Select(r => Store.BudgetSeal.Compute(r)).ToArray() });
            batch.BatchCommands.Add(update);
        }

        // A row this batch created but never charged (every charge on it refused) is not kept: as with the embedded ledger,
        // a user who was never admitted today has no row.
        var unused = _rows.Values.Where(r => r.Inserted && !r.Dirty).Select(r => r.Row).ToList();
        if (unused.Count > 0)
        {
            var delete = new NpgsqlBatchCommand(
                "DELETE FROM qe_budgets AS b USING unnest($1::text[], $2::bytea[]) AS u(day, user_hash) WHERE b.day = u.day AND b.user_hash = u.user_hash");
            delete.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = unused.Select(r => r.Day).ToArray() });
            delete.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = unused.Select(r => r.UserHash).ToArray() });
            batch.BatchCommands.Add(delete);
        }
    }

    private void AddAuditInsert(NpgsqlBatch batch)
    {
        var f = _appended.Select(a => a.Fields).ToList();
        var insert = new NpgsqlBatchCommand(
            "INSERT INTO qe_audit (chain, seq, time_ticks, event_type, request_id, user_hash, user_blob, role, department, classification, " +
            "backend, model, prompt_tokens, completion_tokens, http_status, latency_ms, decision, epsilon, prompt_hmac, detail, related_seq, " +
            "prev_hash, hash) SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::text[], $6::bytea[], $7::bytea[], $8::text[], " +
            "$9::bytea[], $10::text[], $11::text[], $12::text[], $13::int[], $14::int[], $15::int[], $16::float8[], $17::text[], $18::float8[], " +
            "$19::text[], $20::text[], $21::bigint[], $22::bytea[], $23::bytea[])");
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Store.Chain });
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = f.Select(x => x.Seq).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = f.Select(x => x.TimeTicks).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = f.Select(x => x.EventType).ToArray() });
        insert.Parameters.Add(Texts(f.Select(x => x.RequestId)));
        insert.Parameters.Add(Blobs(f.Select(x => x.UserHash)));
        insert.Parameters.Add(Blobs(f.Select(x => x.User)));
        insert.Parameters.Add(Texts(f.Select(x => x.Role)));
        insert.Parameters.Add(Blobs(f.Select(x => x.Department)));
        insert.Parameters.Add(Texts(f.Select(x => x.Classification)));
        insert.Parameters.Add(Texts(f.Select(x => x.Backend)));
        insert.Parameters.Add(Texts(f.Select(x => x.Model)));
        insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = f.Select(x => x.PromptTokens).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = f.Select(x => x.CompletionTokens).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = f.Select(x => x.HttpStatus).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = f.Select(x => x.LatencyMs).ToArray() });
        insert.Parameters.Add(Texts(f.Select(x => x.Decision)));
        insert.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = f.Select(x => x.Epsilon).ToArray() });
        insert.Parameters.Add(Texts(f.Select(x => x.PromptHmac)));
        insert.Parameters.Add(Texts(f.Select(x => x.Detail)));
        insert.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = f.Select(x => x.RelatedSeq).ToArray() });
        insert.Parameters.Add(Blobs(f.Select(x => x.PrevHash)));
        insert.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = _appended.Select(a => a.Hash).ToArray() });
        batch.BatchCommands.Add(insert);
    }

    private static NpgsqlParameter<string?[]> Texts(IEnumerable<string?> values) => new() { TypedValue = values.ToArray() };

    private static NpgsqlParameter<byte[]?[]> Blobs(IEnumerable<byte[]?> values) => new() { TypedValue = values.ToArray() };

    /// <summary>Another process appended to this replica's chain: two replicas share one replica id.</summary>
    public static LedgerException ChainConflict(string chain) => new(
        $"Another process appends to the audit chain '{chain}': every replica sharing the PostgreSQL ledger needs its own replica id (storage.postgresql replica id / host name).");

    private sealed record LockedRow(BudgetRow Row, bool Inserted, bool Dirty = false);
}
