using Npgsql;
using QuantumEdge.Ledger.Batches;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>
/// <see cref="IBatchStateStore"/> in the shared database (tables <c>qe_batches</c> and
/// <c>qe_batch_lines</c>, migration 2): every replica sees every batch. Each change is one statement
/// or one transaction committed with synchronous_commit on; status changes compare-and-set the
/// version, a line's write locks its batch's row (so the counts follow the lines exactly and a
/// replica that lost the lease cannot write), and the lease is taken by one conditional update.
/// Lease times come from this replica's clock (replicas keep their clocks in step, as budget days need too).
/// </summary>
internal sealed class PostgreSqlBatchStateStore(PostgreSqlStore store) : IBatchStateStore
{
    private const string Columns =
        "id, owner_blob, owner_role, owner_department, status, created_at, expires_at, total, completed, failed, details, version, lease_holder, lease_until_ticks";

    public Task<BatchState> CreateAsync(BatchState batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate();
        store.EnsureWritable();
        return WithTransactionAsync(async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand(
                "INSERT INTO qe_batches (id, owner_hash, owner_blob, owner_role, owner_department, status, created_at, expires_at, total, completed, failed, details, version) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, 0, $10, 1) ON CONFLICT (id) DO NOTHING", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batch.Id });
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = store.UserIndex.Hash(batch.Owner.Subject) });
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = store.Cipher.Encrypt(BatchStateFields.OwnerAad, batch.Owner.Subject) });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batch.Owner.Role });
            command.Parameters.Add(Bytes(batch.Owner.Department is { } d ? store.Cipher.Encrypt(BatchStateFields.DepartmentAad, d) : null));
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batch.Status });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batch.CreatedAt });
            command.Parameters.Add(Long(batch.ExpiresAt));
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batch.Total });
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = store.Cipher.Encrypt(BatchStateFields.DetailsAad, batch.Details) });
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                throw new LedgerException($"A batch with id '{batch.Id}' is already stored.");
            }

            return batch with { Completed = 0, Failed = 0, Version = 1, LeaseHolder = null, LeaseUntil = null };
        });
    }

    public async Task<BatchState?> GetAsync(string batchId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        var found = await QueryAsync("id = $1", [new NpgsqlParameter<string> { TypedValue = batchId }], cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    public Task<IReadOnlyList<BatchState>> ListAsync(string? ownerSubject = null, bool unfinishedOnly = false, CancellationToken cancellationToken = default)
    {
        var where = new List<string> { "true" };
        var parameters = new List<NpgsqlParameter>();
        if (ownerSubject is not null)
        {
            parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = store.UserIndex.Hash(ownerSubject) });
            where.Add($"owner_hash = ${parameters.Count}");
        }

        if (unfinishedOnly)
        {
            where.Add("status NOT IN ('completed', 'failed', 'expired', 'cancelled')");
        }

        return QueryAsync(string.Join(" AND ", where), parameters, cancellationToken);
    }

    public Task<BatchState?> UpdateAsync(BatchState batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Validate();
        store.EnsureWritable();
        return WithTransactionAsync(async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand(
                "UPDATE qe_batches SET status = $3, total = $4, expires_at = $5, details = $6, version = version + 1 " +
                $"WHERE id = $1 AND version = $2 RETURNING {Columns}", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batch.Id });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = batch.Version });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batch.Status });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = batch.Total });
            command.Parameters.Add(Long(batch.ExpiresAt));
            command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = store.Cipher.Encrypt(BatchStateFields.DetailsAad, batch.Details) });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
        });
    }

    public Task<bool> RecordLineAsync(string batchId, string leaseHolder, BatchLineState line, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        ArgumentException.ThrowIfNullOrEmpty(leaseHolder);
        ArgumentNullException.ThrowIfNull(line);
        line.Validate();
        store.EnsureWritable();
        return WithTransactionAsync(async (connection, transaction) =>
        {
            // The batch's row lock orders this write after any lease change and any other write to the batch.
            await using (var holder = new NpgsqlCommand("SELECT lease_holder FROM qe_batches WHERE id = $1 FOR UPDATE", connection, transaction))
            {
                holder.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batchId });
                if (await holder.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not string current || current != leaseHolder)
                {
                    return false;
                }
            }

            await using (var upsert = new NpgsqlCommand(
                "INSERT INTO qe_batch_lines (batch_id, line_index, status, attempt, request_id, error_code, entry_offset, entry_length, entry_sha256) " +
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (batch_id, line_index) DO UPDATE SET status = EXCLUDED.status, attempt = EXCLUDED.attempt, " +
                "request_id = EXCLUDED.request_id, error_code = EXCLUDED.error_code, entry_offset = EXCLUDED.entry_offset, entry_length = EXCLUDED.entry_length, " +
                "entry_sha256 = EXCLUDED.entry_sha256 WHERE qe_batch_lines.status NOT IN ('done', 'failed')", connection, transaction))
            {
                upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batchId });
                upsert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = line.Index });
                upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = line.Status });
                upsert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = line.Attempt });
                upsert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = line.RequestId });
                upsert.Parameters.Add(Text(line.ErrorCode));
                upsert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = line.EntryOffset });
                upsert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = line.EntryLength });
                upsert.Parameters.Add(Text(line.EntrySha256));
                if (await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
                {
                    return false; // already final: nothing was changed
                }
            }

            if (BatchLineStatuses.IsFinal(line.Status))
            {
                var counter = line.Status == BatchLineStatuses.Done ? "completed" : "failed";
                await using var count = new NpgsqlCommand($"UPDATE qe_batches SET {counter} = {counter} + 1 WHERE id = $1", connection, transaction);
                count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batchId });
                await count.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        });
    }

    public Task<IReadOnlyList<BatchLineState>> ReadLinesAsync(string batchId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        return WithConnectionAsync<IReadOnlyList<BatchLineState>>(async connection =>
        {
            await using var command = new NpgsqlCommand(
                "SELECT line_index, status, attempt, request_id, error_code, entry_offset, entry_length, entry_sha256 FROM qe_batch_lines WHERE batch_id = $1 ORDER BY line_index",
                connection);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batchId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var lines = new List<BatchLineState>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                lines.Add(new BatchLineState
                {
                    Index = reader.GetInt32(0),
                    Status = reader.GetString(1),
                    Attempt = reader.GetInt32(2),
                    RequestId = reader.GetString(3),
                    ErrorCode = reader.IsDBNull(4) ? null : reader.GetString(4),
                    EntryOffset = reader.GetInt64(5),
                    EntryLength = reader.GetInt32(6),
                    EntrySha256 = reader.IsDBNull(7) ? null : reader.GetString(7),
                });
            }

            return lines;
        });
    }

    public Task<bool> TryLeaseAsync(string batchId, string holder, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        BatchState.Check(holder, nameof(holder));
        store.EnsureWritable();
        var now = store.Now();
        return WithTransactionAsync(async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand(
                "UPDATE qe_batches SET lease_holder = $2, lease_until_ticks = $4 " +
                "WHERE id = $1 AND (lease_holder IS NULL OR lease_holder = $2 OR lease_until_ticks <= $3)", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batchId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = holder });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now.UtcTicks });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (now + duration).UtcTicks });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        });
    }

    public Task ReleaseLeaseAsync(string batchId, string holder, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(batchId);
        ArgumentException.ThrowIfNullOrEmpty(holder);
        store.EnsureWritable();
        return WithTransactionAsync(async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand(
                "UPDATE qe_batches SET lease_holder = NULL, lease_until_ticks = NULL WHERE id = $1 AND lease_holder = $2", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = batchId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = holder });
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        });
    }

    private Task<IReadOnlyList<BatchState>> QueryAsync(string where, IReadOnlyList<NpgsqlParameter> parameters, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<BatchState>>(async connection =>
        {
            await using var command = new NpgsqlCommand($"SELECT {Columns} FROM qe_batches WHERE {where}", connection);
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(parameter);
            }

            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var result = new List<BatchState>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                result.Add(Read(reader));
            }

            return result;
        });

    private BatchState Read(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Owner = new BatchOwner(
            store.Cipher.Decrypt(BatchStateFields.OwnerAad, reader.GetFieldValue<byte[]>(1)),
            reader.GetString(2),
            reader.IsDBNull(3) ? null : store.Cipher.Decrypt(BatchStateFields.DepartmentAad, reader.GetFieldValue<byte[]>(3))),
        Status = reader.GetString(4),
        CreatedAt = reader.GetInt64(5),
        ExpiresAt = reader.IsDBNull(6) ? null : reader.GetInt64(6),
        Total = reader.GetInt32(7),
        Completed = reader.GetInt32(8),
        Failed = reader.GetInt32(9),
        Details = store.Cipher.Decrypt(BatchStateFields.DetailsAad, reader.GetFieldValue<byte[]>(10)),
        Version = reader.GetInt64(11),
        LeaseHolder = reader.IsDBNull(12) ? null : reader.GetString(12),
        LeaseUntil = reader.IsDBNull(13) ? null : new DateTimeOffset(reader.GetInt64(13), TimeSpan.Zero),
    };

    private async Task<T> WithConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> body) =>
        await PostgreSqlErrors.GuardAsync(async () =>
        {
            await using var connection = await store.DataSource.OpenConnectionAsync().ConfigureAwait(false);
            return await body(connection).ConfigureAwait(false);
        }).ConfigureAwait(false);

    /// <summary>Runs <paramref name="body"/> in a transaction committed with synchronous_commit on (whatever the server's default), so its task completes only once durable.</summary>
    private async Task<T> WithTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> body) =>
        await WithConnectionAsync(async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            await using (var sync = new NpgsqlCommand("SET LOCAL synchronous_commit = on", connection, transaction))
            {
                await sync.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            var result = await body(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync().ConfigureAwait(false);
            return result;
        }).ConfigureAwait(false);

    private static NpgsqlParameter Bytes(byte[]? value) => value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea } : new NpgsqlParameter<byte[]> { TypedValue = value };

    private static NpgsqlParameter Long(long? value) => value is { } v ? new NpgsqlParameter<long> { TypedValue = v } : new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint };

    private static NpgsqlParameter Text(string? value) => value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } : new NpgsqlParameter<string> { TypedValue = value };
}
