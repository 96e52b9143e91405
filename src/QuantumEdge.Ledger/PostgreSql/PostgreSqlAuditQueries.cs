using System.Runtime.CompilerServices;
using Npgsql;
using QuantumEdge.Ledger.Budgets;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>Reads of qe_audit: one record, one chain in seq order, all chains merged by time.</summary>
internal static class PostgreSqlAuditQueries
{
    public static async Task<PostgreSqlAuditRow?> FindAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string chain, long seq,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {PostgreSqlAuditRow.Columns} FROM qe_audit WHERE chain = $1 AND seq = $2", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chain });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? PostgreSqlAuditRow.Read(reader) : null;
    }

    /// <summary>Up to <paramref name="max"/> records of one chain with seq greater than <paramref name="afterSeq"/>, in seq order.</summary>
    public static async Task<List<PostgreSqlAuditRow>> ReadChainAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string chain,
        long afterSeq, int max, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {PostgreSqlAuditRow.Columns} FROM qe_audit WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT $3", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chain });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterSeq });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Max(1, max) });
        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every chain's records with <paramref name="fromTicks"/> &lt;= time &lt; <paramref name="toTicks"/>, merged by time
    /// (ties by insertion id), read in bounded chunks on one REPEATABLE READ snapshot.
    /// </summary>
    public static async IAsyncEnumerable<PostgreSqlAuditRow> ReadMergedAsync(NpgsqlDataSource dataSource, long fromTicks, long toTicks,
        int chunkSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken)
            .ConfigureAwait(false);
        long afterTicks = long.MinValue, afterId = long.MinValue;
        while (true)
        {
            await using var command = new NpgsqlCommand(
                $"SELECT {PostgreSqlAuditRow.Columns} FROM qe_audit WHERE time_ticks >= $1 AND time_ticks < $2 AND (time_ticks, id) > ($3, $4) " +
                "ORDER BY time_ticks, id LIMIT $5", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromTicks });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toTicks });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterTicks });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = afterId });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = chunkSize });
            var chunk = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
            foreach (var row in chunk)
            {
                yield return row;
            }

            if (chunk.Count < chunkSize)
            {
                yield break;
            }

            afterTicks = chunk[^1].Fields.TimeTicks;
            afterId = chunk[^1].Id;
        }
    }

    /// <summary>Up to <paramref name="max"/> records about one user (by lookup hash), across chains, oldest first.</summary>
    public static async Task<List<PostgreSqlAuditRow>> ReadUserAsync(NpgsqlConnection connection, byte[] userHash, int max,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {PostgreSqlAuditRow.Columns} FROM qe_audit WHERE user_hash = $1 ORDER BY time_ticks, id LIMIT $2", connection);
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = userHash });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = max });
        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Admitted charges not refunded (on any chain) whose request id starts with <paramref name="requestIdPrefix"/>, recorded
    /// at or after <paramref name="sinceTicks"/> (the time index bounds the scan), oldest first: (chain, seq, request id, ε).
    /// </summary>
    public static async Task<List<ReplicaCharge>> ReadUnrefundedChargesAsync(NpgsqlConnection connection, string requestIdPrefix, long sinceTicks,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT a.chain, a.seq, a.request_id, a.epsilon FROM qe_audit a WHERE a.time_ticks >= $1 AND a.event_type = $2 AND a.decision = $3 " +
            "AND a.epsilon > 0 AND starts_with(a.request_id, $4) " +
            "AND NOT EXISTS (SELECT 1 FROM qe_refunds r WHERE r.chain = a.chain AND r.charge_seq = a.seq) ORDER BY a.time_ticks, a.id", connection);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sinceTicks });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = (int)Audit.AuditEventType.Request });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Audit.AuditDecisions.Admitted });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = requestIdPrefix });
        var charges = new List<ReplicaCharge>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            charges.Add(new ReplicaCharge(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetDouble(3)));
        }

        return charges;
    }

    private static async Task<List<PostgreSqlAuditRow>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<PostgreSqlAuditRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(PostgreSqlAuditRow.Read(reader));
        }

        return rows;
    }
}
