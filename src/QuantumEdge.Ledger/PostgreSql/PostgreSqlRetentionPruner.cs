using Npgsql;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Retention;

namespace QuantumEdge.Ledger.PostgreSql;

/// <summary>
/// Retention across every chain in one transaction: each chain loses a seq prefix of records older
/// than the audit retention (never its newest record, so its writer's head stays valid) and gets a
/// new signed anchor; old budget rows go; the run is audited on this replica's chain. Replicas share
/// the node key, so any of them may sign another chain's anchor; an advisory lock keeps two runs apart.
/// </summary>
internal static class PostgreSqlRetentionPruner
{
    private const long RetentionLockKey = 0x5145_7072_756E_6521;

    public static async Task<RetentionResult> PruneAsync(PostgreSqlStore store, int auditRetentionDays, int dataRetentionDays,
        CancellationToken cancellationToken)
    {
        store.EnsureWritable();
        await using var tx = await PostgreSqlTransaction.BeginAsync(store, cancellationToken).ConfigureAwait(false);
        var connection = tx.Connection;
        var now = tx.Now;
        var auditCutoff = now.AddDays(-auditRetentionDays).UtcTicks;
        var dataCutoff = now.AddDays(-dataRetentionDays).UtcTicks;
        await using (var lockRun = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({RetentionLockKey})", connection, tx.Transaction))
        {
            await lockRun.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long prunedAudit = 0;
        var firstKeptHere = 1L;
        foreach (var chain in await PostgreSqlChains.ReadAllAsync(connection, tx.Transaction, cancellationToken).ConfigureAwait(false))
        {
            var firstKept = await FirstKeptAsync(connection, tx.Transaction, chain.Chain, auditCutoff, cancellationToken).ConfigureAwait(false);
            var kept = firstKept is { } k && k > chain.Anchor.Seq
                ? await PostgreSqlAuditQueries.FindAsync(connection, tx.Transaction, chain.Chain, k, cancellationToken).ConfigureAwait(false)
                : null;
            if (kept is not null)
            {
                var anchor = SignedChainPoint.Sign(ChainPointKind.Anchor, kept.Seq, kept.Fields.PrevHash ?? [], now.UtcTicks, store.Identity);
                await using (var update = PostgreSqlChains.UpdateAnchor(connection, tx.Transaction, chain.Chain, anchor))
                {
                    await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                prunedAudit += await DeleteBeforeAsync(connection, tx.Transaction, "qe_audit", "seq", chain.Chain, kept.Seq, cancellationToken)
                    .ConfigureAwait(false);
                await DeleteBeforeAsync(connection, tx.Transaction, "qe_refunds", "charge_seq", chain.Chain, kept.Seq, cancellationToken)
                    .ConfigureAwait(false);
            }

            if (chain.Chain == store.Chain)
            {
                firstKeptHere = kept?.Seq ?? chain.Anchor.Seq;
            }
        }

        long prunedBudgets;
        await using (var budgets = new NpgsqlCommand("DELETE FROM qe_budgets WHERE expires_ticks < $1", connection, tx.Transaction))
        {
            budgets.Parameters.Add(new NpgsqlParameter<long> { TypedValue = dataCutoff });
            prunedBudgets = await budgets.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var seq = tx.AppendAudit(new AuditEntry
        {
            EventType = AuditEventType.Admin,
            RequestId = "retention",
            Role = "system",
            Decision = "admin:retention_prune",
            Detail = $"audit_records={prunedAudit};budget_rows={prunedBudgets};first_kept_seq={firstKeptHere};audit_retention_days={auditRetentionDays};data_retention_days={dataRetentionDays}",
        });
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        store.SetHead(tx.LastSeq, tx.LastHash);
        return new RetentionResult(prunedAudit, prunedBudgets, firstKeptHere, seq);
    }

    /// <summary>The chain's first record at or after the cutoff, or its newest record when all are older (it is always kept).</summary>
    private static async Task<long?> FirstKeptAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string chain, long cutoffTicks,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT COALESCE((SELECT min(seq) FROM qe_audit WHERE chain = $1 AND time_ticks >= $2), (SELECT max(seq) FROM qe_audit WHERE chain = $1))",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chain });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = cutoffTicks });
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is long seq ? seq : null;
    }

    private static async Task<long> DeleteBeforeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string column,
        string chain, long firstKept, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"DELETE FROM {table} WHERE chain = $1 AND {column} < $2", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chain });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = firstKept });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
