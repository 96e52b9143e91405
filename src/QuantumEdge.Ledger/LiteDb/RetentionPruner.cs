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
                var kept = range.Kept;
                firstKept = AuditDocument.Seq(kept);
                var prev = AuditDocument.ReadBytes(kept, AuditFields.PrevHash) ?? [];
                store.WriteAnchor(SignedChainPoint.Sign(ChainPointKind.Anchor, firstKept, prev, now.UtcTicks, store.Identity));

                // Whole documents: a pack's _id is its last record's seq (AuditPack).
                store.Audit.DeleteMany(Query.LTE("_id", range.LastSeq));
                store.ForgetLookups();
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
    /// the one holding the newest record: the last seq they hold, how many records, and the first record kept.
    /// Null when there are none, or when a pack that cannot be read as records comes first: pruning up to it would
    /// anchor the chain past the damage, which verification must report instead. Read one document at a time
    /// (memory stays one pack however much is kept).
    /// </summary>
    private static (long LastSeq, long Records, BsonDocument Kept)? FindPrunable(LedgerStore store, long cutoffTicks)
    {
        long? lastSeq = null;
        var records = 0L;
        foreach (var doc in store.Audit.Find(Query.All("_id", Query.Ascending)))
        {
            if (AuditPack.Problem(doc) is not null)
            {
                return null;
            }

            var docRecords = 0L;
            foreach (var record in AuditPack.Expand(doc))
            {
                if (record[AuditFields.Time].AsInt64 >= cutoffTicks || AuditDocument.Seq(record) == store.LastSeq)
                {
                    // This document is kept whole: its first record is the chain's new start.
                    return lastSeq is { } last ? (last, records, AuditPack.Expand(doc).First()) : null;
                }

                docRecords++;
            }

            records += docRecords;
            lastSeq = doc["_id"].AsInt64;
        }

        return null;
    }
}
