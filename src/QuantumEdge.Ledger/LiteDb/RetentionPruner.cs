using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Retention;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// Deletes the oldest audit records (a seq prefix of whole stored documents, never the newest record) and old budget rows.
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
        var prunable = FindPrunable(store, auditCutoff);

        store.ResetBatch();
        store.Db.BeginTrans();
        try
        {
            long prunedAudit = 0;
            var firstKept = store.ReadAnchor()?.Seq ?? 1;
            if (prunable is { } range)
            {
                var kept = store.AuditAfter(range.LastSeq, 1)[0];
                firstKept = AuditDocument.Seq(kept);
                var prev = AuditDocument.ReadBytes(kept, AuditFields.PrevHash) ?? [];
                store.WriteAnchor(SignedChainPoint.Sign(ChainPointKind.Anchor, firstKept, prev, now.UtcTicks, store.Identity));

                // Whole documents: a pack's _id is its last record's seq (AuditPack).
                store.Audit.DeleteMany(Query.LTE("_id", range.LastSeq));
                prunedAudit = range.Records;
                store.Checkpoints.DeleteMany(Query.LT("_id", firstKept));
                store.Refunds.DeleteMany(Query.LTE("_id", range.LastSeq));
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

    /// <summary>
    /// The stored documents (whole packs) at the chain's start whose every record is older than the cutoff, never
    /// the one holding the newest record: the last seq they hold and how many records. Null when there are none.
    /// </summary>
    private static (long LastSeq, long Records)? FindPrunable(LedgerStore store, long cutoffTicks)
    {
        (long LastSeq, long Records)? prunable = null;
        var records = 0L;
        var after = long.MinValue;
        while (true)
        {
            var chunk = store.Audit.Find(Query.GT("_id", after), limit: ScanChunk).ToList();
            foreach (var doc in chunk)
            {
                var docRecords = 0L;
                foreach (var record in AuditPack.Expand(doc))
                {
                    if (record[AuditFields.Time].AsInt64 >= cutoffTicks || AuditDocument.Seq(record) == store.LastSeq)
                    {
                        return prunable;
                    }

                    docRecords++;
                }

                records += docRecords;
                prunable = (doc["_id"].AsInt64, records);
            }

            if (chunk.Count < ScanChunk)
            {
                return prunable;
            }

            after = chunk[^1]["_id"].AsInt64;
        }
    }
}
