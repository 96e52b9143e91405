using Npgsql;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>A qe_chains row: one replica's signed head (its newest committed record) and signed retention anchor.</summary>
internal sealed record PostgreSqlChainRow(string Chain, SignedChainPoint Head, SignedChainPoint Anchor);

/// <summary>
/// The per-replica chains. Each replica appends only to its own chain, so appends never wait on
/// another replica; each commit also rewrites that chain's signed head in the same transaction, so a
/// tail deleted later (records removed, head left) is detected by verification, as the head file
/// does for the embedded ledger.
/// </summary>
internal static class PostgreSqlChains
{
    private const string Columns =
        "chain, head_seq, head_hash, head_ticks, head_signature, anchor_seq, anchor_hash, anchor_ticks, anchor_signature";

    /// <summary>Creates this replica's chain (empty: a signed genesis anchor at seq 1 and a signed head at 0) unless it exists.</summary>
    public static async Task EnsureAsync(NpgsqlDataSource dataSource, string chain, NodeIdentity identity, long nowTicks,
        CancellationToken cancellationToken)
    {
        var genesis = new byte[CanonicalEncoder.HashSize];
        var head = SignedChainPoint.Sign(ChainPointKind.Checkpoint, 0, genesis, nowTicks, identity);
        var anchor = SignedChainPoint.Sign(ChainPointKind.Anchor, 1, genesis, nowTicks, identity);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = new NpgsqlCommand(
            $"INSERT INTO qe_chains ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (chain) DO NOTHING", connection);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chain });
        AddPoint(insert.Parameters, head);
        AddPoint(insert.Parameters, anchor);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The chain's newest stored record (seq, hash), or where an empty chain continues from its anchor.</summary>
    public static async Task<(long Seq, byte[] Hash)> ReadHeadAsync(NpgsqlConnection connection, string chain, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT seq, hash FROM qe_audit WHERE chain = $1 ORDER BY seq DESC LIMIT 1", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chain });
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return (reader.GetInt64(0), reader.GetFieldValue<byte[]>(1));
            }
        }

        await using var anchor = new NpgsqlCommand("SELECT anchor_seq, anchor_hash FROM qe_chains WHERE chain = $1", connection);
        anchor.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chain });
        await using var anchorReader = await anchor.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await anchorReader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (anchorReader.GetInt64(0) - 1, anchorReader.GetFieldValue<byte[]>(1))
            : (0, new byte[CanonicalEncoder.HashSize]);
    }

    /// <summary>
    /// Moves the chain's signed head; the WHERE clause refuses to move it backwards, so two processes
    /// misconfigured with one replica id fail loudly instead of forking the chain.
    /// </summary>
    public static NpgsqlBatchCommand UpdateHead(string chain, SignedChainPoint head)
    {
        var command = new NpgsqlBatchCommand(
            "UPDATE qe_chains SET head_seq = $2, head_hash = $3, head_ticks = $4, head_signature = $5 WHERE chain = $1 AND head_seq < $2");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chain });
        AddPoint(command.Parameters, head);
        return command;
    }

    public static NpgsqlCommand UpdateAnchor(NpgsqlConnection connection, NpgsqlTransaction transaction, string chain, SignedChainPoint anchor)
    {
        var command = new NpgsqlCommand(
            "UPDATE qe_chains SET anchor_seq = $2, anchor_hash = $3, anchor_ticks = $4, anchor_signature = $5 WHERE chain = $1",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chain });
        AddPoint(command.Parameters, anchor);
        return command;
    }

    public static async Task<List<PostgreSqlChainRow>> ReadAllAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM qe_chains ORDER BY chain", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<PostgreSqlChainRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new PostgreSqlChainRow(
                reader.GetString(0),
                new SignedChainPoint(reader.GetInt64(1), reader.GetFieldValue<byte[]>(2), reader.GetInt64(3), reader.GetFieldValue<byte[]>(4)),
                new SignedChainPoint(reader.GetInt64(5), reader.GetFieldValue<byte[]>(6), reader.GetInt64(7), reader.GetFieldValue<byte[]>(8))));
        }

        return rows;
    }

    private static void AddPoint(NpgsqlParameterCollection parameters, SignedChainPoint point)
    {
        parameters.Add(new NpgsqlParameter<long> { TypedValue = point.Seq });
        parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = point.Hash });
        parameters.Add(new NpgsqlParameter<long> { TypedValue = point.TimeTicks });
        parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = point.Signature });
    }
}
