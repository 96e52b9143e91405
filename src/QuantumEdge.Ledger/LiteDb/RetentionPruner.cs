using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Retention;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// Deletes the oldest audit records (a seq prefix, never the newest record) and old budget rows.
/// The kept chain stays verifiable through a new signed anchor: the first kept seq and the
/// prev_hash it links to. Runs on the writer thread as one transaction.
/// </summary>
internal static class RetentionPruner
{
    private const int ScanChunk = 4096;

    public static RetentionResult Prune(LedgerStore store, int auditRetentionDays, int dataRetentionDays)
    {
        store.EnsureWritable();
        var now = store.Now();
        var auditCutoff = now.AddDays(-auditRetentionDays).UtcTicks;
        var dataCutoff = now.AddDays(-dataRetentionDays).UtcTicks;
        var lastPrunable = FindLastPrunable(store, auditCutoff);

        store.ResetBatch();
        store.Db.BeginTrans();
        try
        {
            long prunedAudit = 0;
            var firstKept = store.ReadAnchor()?.Seq ?? 1;
            if (lastPrunable is { } last)
            {
                var kept = store.Audit.Find(Query.GT("_id", last), limit: 1).First();
                firstKept = AuditDocument.Seq(kept);
                var prev = AuditDocument.ReadBytes(kept, AuditFields.PrevHash) ?? [];
                store.WriteAnchor(SignedChainPoint.Sign(ChainPointKind.Anchor, firstKept, prev, now.UtcTicks, store.Identity));
                prunedAudit = store.Audit.DeleteMany(Query.LTE("_id", last));
                store.Checkpoints.DeleteMany(Query.LT("_id", firstKept));
                store.Refunds.DeleteMany(Query.LTE("_id", last));
                store.ChainEpoch++;
            }

            long prunedBudgets = store.Budgets.DeleteMany(Query.LT("exp", dataCutoff));
            var seq = store.AppendAudit(new AuditEntry
            {
                EventType = AuditEventType.Admin,
                RequestId = "retention",
                Role = "system",
                Decision = "admin:retention_prune",
                Detail = $"audit_records={prunedAudit};budget_rows={prunedBudgets};first_kept_seq={firstKept};audit_retention_days={auditRetentionDays};data_retention_days={dataRetentionDays}",
            });
            var head = store.WriteCheckpoint();
            store.Db.Commit();
            store.ClearBudgetCache();
            store.MakeDurable();
            HeadFile.Write(store.Paths.Head, head);
            return new RetentionResult(prunedAudit, prunedBudgets, firstKept, seq);
        }
        catch
        {
            store.Db.Rollback();
            store.DiscardVolatileState();
            throw;
        }
    }

    private static long? FindLastPrunable(LedgerStore store, long cutoffTicks)
    {
        long? lastPrunable = null;
        var after = long.MinValue;
        while (true)
        {
            var chunk = store.Audit.Find(Query.GT("_id", after), limit: ScanChunk).ToList();
            foreach (var doc in chunk)
            {
                if (doc[AuditFields.Time].AsInt64 >= cutoffTicks || AuditDocument.Seq(doc) == store.LastSeq)
                {
                    return lastPrunable;
                }

                lastPrunable = AuditDocument.Seq(doc);
            }

            if (chunk.Count < ScanChunk)
            {
                return lastPrunable;
            }

            after = AuditDocument.Seq(chunk[^1]);
        }
    }
}
