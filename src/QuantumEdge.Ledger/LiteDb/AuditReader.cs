using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>Reads decrypted audit records in seq order (writer thread).</summary>
internal static class AuditReader
{
    public static List<AuditRecord> Read(LedgerStore store, long afterSeq, int max)
    {
        var records = new List<AuditRecord>(Math.Min(max, 4096));
        foreach (var doc in store.AuditAfter(afterSeq, Math.Max(1, max)))
        {
            records.Add(AuditDocument.ToRecord(doc, store.Cipher));
        }

        return records;
    }
}
