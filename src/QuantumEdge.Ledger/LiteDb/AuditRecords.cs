using LiteDB;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// Audit records read from the <c>audit</c> collection whatever their layout (<see cref="AuditPack"/>):
/// each method walks the <c>_id</c> index forward and expands the documents it meets. Callers on the
/// writer thread go through <see cref="LedgerStore"/>, which first stores the records of the open group.
/// </summary>
internal static class AuditRecords
{
    /// <summary>Records with a seq above <paramref name="afterSeq"/>, in order, at most <paramref name="max"/>.</summary>
    public static List<BsonDocument> After(ILiteCollection<BsonDocument> audit, long afterSeq, int max)
    {
        var records = new List<BsonDocument>(Math.Min(max, 4096));
        if (max <= 0)
        {
            return records;
        }

        // The first document found may be a pack that also holds records at or below afterSeq.
        foreach (var doc in audit.Find(Query.GT("_id", afterSeq)))
        {
            foreach (var record in AuditPack.Expand(doc))
            {
                if (IsAtOrBelow(record, afterSeq))
                {
                    continue;
                }

                records.Add(record);
                if (records.Count == max)
                {
                    return records;
                }
            }
        }

        return records;
    }

    /// <summary>The record with this seq and the document that holds it; nulls when there is none.</summary>
    public static (BsonDocument? Document, BsonDocument? Record) Find(ILiteCollection<BsonDocument> audit, long seq)
    {
        foreach (var doc in audit.Find(Query.GTE("_id", seq), limit: 1))
        {
            return (doc, In(doc, seq));
        }

        return (null, null);
    }

    /// <summary>The record with this seq within one stored document, or null.</summary>
    public static BsonDocument? In(BsonDocument doc, long seq)
    {
        foreach (var record in AuditPack.Expand(doc))
        {
            if (record["_id"].IsInt64 && record["_id"].AsInt64 == seq)
            {
                return record;
            }
        }

        return null;
    }

    /// <summary>The newest record, or null when the collection is empty.</summary>
    public static BsonDocument? Last(ILiteCollection<BsonDocument> audit)
    {
        var last = audit.Query().OrderByDescending("_id").Limit(1).FirstOrDefault();
        return last is null ? null : AuditPack.Expand(last).LastOrDefault();
    }

    /// <summary>Every record whose pseudonymous user is <paramref name="userHash"/>, in seq order (a full scan: the field is not indexed).</summary>
    public static IEnumerable<BsonDocument> OfUser(ILiteCollection<BsonDocument> audit, byte[] userHash)
    {
        foreach (var doc in audit.FindAll())
        {
            foreach (var record in AuditPack.Expand(doc))
            {
                if (record[AuditFields.UserHash] is { IsBinary: true } user && user.AsBinary.AsSpan().SequenceEqual(userHash))
                {
                    yield return record;
                }
            }
        }
    }

    private static bool IsAtOrBelow(BsonDocument record, long seq) => record["_id"].IsInt64 && record["_id"].AsInt64 <= seq;
}
