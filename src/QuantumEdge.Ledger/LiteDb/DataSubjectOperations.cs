using LiteDB;
using QuantumEdge.Ledger.Audit;
using QuantumEdge.Ledger.Budgets;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// GDPR data-subject export and erasure on the writer thread. Erasure deletes the user's budget rows and appends an
/// <see cref="AuditDecisions.AdminDataSubjectErasure"/> record naming the rows' days, which <see cref="BudgetChainCheck"/>
/// reads as a reset of those rows, so <c>audit verify</c> still passes. Audit records stay: they are the legally required
/// trail and carry the user only as the pseudonym and the encrypted id.
/// </summary>
internal static class DataSubjectOperations
{
    public static DataSubjectExport Export(LedgerStore store, string userId, int maxRecords)
    {
        var userHash = store.UserIndex.Hash(userId);
        var rows = new List<UserBudget>();
        foreach (var doc in RowsOf(store, userHash))
        {
            var row = store.ReadBudget(doc);
            var department = row.Department is { } d ? store.Cipher.Decrypt(BudgetRow.DepartmentAad, d) : null;
            rows.Add(new UserBudget
            {
                UserId = userId,
                Department = department,
                DayKey = row.Day,
                State = row.State,
                Spent = store.Policy.Spent(row.State),
                Budget = store.Policy.BudgetFor(department),
            });
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.DayKey, b.DayKey));
        var records = new List<AuditRecord>();
        var truncated = false;
        foreach (var doc in store.AuditOfUser(userHash))
        {
            if (records.Count == maxRecords)
            {
                truncated = true;
                break;
            }

            records.Add(AuditDocument.ToRecord(doc, store.Cipher));
        }

        return new DataSubjectExport(Convert.ToHexStringLower(userHash), rows, records, truncated);
    }

    public static DataSubjectErasure Erase(LedgerStore store, string userId, AdminActor actor)
    {
        store.EnsureWritable();
        var userHash = store.UserIndex.Hash(userId);
        var docs = RowsOf(store, userHash);
        var days = docs.Select(d => d["day"].AsString).Order(StringComparer.Ordinal).ToList();
        foreach (var doc in docs)
        {
            store.Budgets.Delete(doc["_id"]);
        }

        // The writer caches rows it has read; a cached copy must not bring an erased row back at the next charge.
        store.ClearBudgetCache();
        var pseudonym = Convert.ToHexStringLower(userHash);
        var seq = store.AppendAudit(new AuditEntry
        {
            EventType = AuditEventType.Admin,
            RequestId = actor.RequestId,
            UserId = actor.UserId,
            Role = actor.Role,
            Department = actor.Department,
            Decision = AuditDecisions.AdminDataSubjectErasure,
            Detail = $"target_user_hmac={pseudonym};days={string.Join(',', days)};rows={days.Count};reason={actor.Reason}",
        });
        return new DataSubjectErasure(pseudonym, days.Count, days, seq);
    }

    private static List<BsonDocument> RowsOf(LedgerStore store, byte[] userHash) =>
        [.. store.Budgets.FindAll().Where(doc => doc["uh"].IsBinary && doc["uh"].AsBinary.AsSpan().SequenceEqual(userHash))];
}
