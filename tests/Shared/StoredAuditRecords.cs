using LiteDB;
using QuantumEdge.Ledger.LiteDb;

namespace QuantumEdge.Tests.Shared;

/// <summary>
/// What an attacker with the database file does to audit records, whatever document holds them (a pack of a
/// group commit or a record of its own, <see cref="AuditPack"/>): tests tamper through this instead of
/// assuming one document per record.
/// </summary>
internal static class StoredAuditRecords
{
    /// <summary>A copy of the record with this seq as stored.</summary>
    public static BsonDocument Get(ILiteCollection<BsonDocument> audit, long seq)
    {
        var (_, _, record) = Locate(audit, seq);
        return BsonSerializer.Deserialize(BsonSerializer.Serialize(record.AsDocument));
    }

    /// <summary>Puts <paramref name="record"/> where the record with this seq is stored.</summary>
    public static void Replace(ILiteCollection<BsonDocument> audit, long seq, BsonDocument record)
    {
        var (doc, index, _) = Locate(audit, seq);
        if (index < 0)
        {
            audit.Delete(doc["_id"]);
            audit.Insert(record);
            return;
        }

        doc[AuditPack.Records].AsArray[index] = record;
        audit.Update(doc);
    }

    /// <summary>Changes the stored record with this seq in place.</summary>
    public static void Change(ILiteCollection<BsonDocument> audit, long seq, Action<BsonDocument> change)
    {
        var record = Get(audit, seq);
        change(record);
        Replace(audit, seq, record);
    }

    /// <summary>Removes the record with this seq; a pack that loses its last record is keyed by the new last one.</summary>
    public static void Delete(ILiteCollection<BsonDocument> audit, long seq)
    {
        var (doc, index, _) = Locate(audit, seq);
        audit.Delete(doc["_id"]);
        if (index < 0)
        {
            return;
        }

        var records = doc[AuditPack.Records].AsArray;
        records.RemoveAt(index);
        if (records.Count > 0)
        {
            doc["_id"] = records[^1].AsDocument["_id"];
            audit.Insert(doc);
        }
    }

    /// <summary>Removes every record with a seq above <paramref name="seq"/>.</summary>
    public static void DeleteAfter(ILiteCollection<BsonDocument> audit, long seq)
    {
        foreach (var later in Seqs(audit).Where(s => s > seq).OrderDescending())
        {
            Delete(audit, later);
        }
    }

    /// <summary>Every stored record's seq, in stored order.</summary>
    public static List<long> Seqs(ILiteCollection<BsonDocument> audit) =>
        [.. audit.FindAll().SelectMany(AuditPack.Expand).Select(r => r["_id"].AsInt64)];

    /// <summary>Rewrites the collection as one document per record (the layout before packs), through <paramref name="change"/>.</summary>
    public static void RewriteOnePerDocument(ILiteCollection<BsonDocument> audit, Func<List<BsonDocument>, List<BsonDocument>> change)
    {
        var records = audit.FindAll().SelectMany(AuditPack.Expand).ToList();
        audit.DeleteAll();
        foreach (var record in change(records))
        {
            audit.Insert(record);
        }
    }

    private static (BsonDocument Doc, int Index, BsonValue Record) Locate(ILiteCollection<BsonDocument> audit, long seq)
    {
        foreach (var doc in audit.Find(Query.GTE("_id", seq), limit: 1))
        {
            if (!AuditPack.IsPack(doc))
            {
                return doc["_id"].AsInt64 == seq ? (doc, -1, doc) : throw Missing(seq);
            }

            var records = doc[AuditPack.Records].AsArray;
            for (var i = 0; i < records.Count; i++)
            {
                if (records[i].AsDocument["_id"].AsInt64 == seq)
                {
                    return (doc, i, records[i]);
                }
            }
        }

        throw Missing(seq);
    }

    private static InvalidOperationException Missing(long seq) => new($"no stored audit record {seq}");
}
