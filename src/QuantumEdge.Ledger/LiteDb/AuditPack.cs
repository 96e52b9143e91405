using LiteDB;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// How audit records sit in the <c>audit</c> collection. Since schema 3 the records a group commit
/// appends are stored together as one document, a pack: <c>{_id: the last record's seq, recs: [record, …]}</c>,
/// each record the document it was on its own before (its seq in its own <c>_id</c>, its hash and
/// prev_hash with it). Records written before schema 3 stay one document each (<c>_id</c> = seq): a
/// document without <c>recs</c> is one record. One LiteDB document per group instead of one per
/// record is what makes the audit record cheap (LiteDB's per-document cost is its <c>_id</c> skip
/// list, walked and rebuilt on every insert). Keying a pack by its last seq keeps every lookup a
/// forward range on that index: the document holding seq s is the first whose <c>_id</c> ≥ s.
/// </summary>
internal static class AuditPack
{
    /// <summary>The field of a pack that holds its records.</summary>
    public const string Records = "recs";

    /// <summary>Records per pack at most: a reader of one record deserialises its whole pack.</summary>
    public const int MaxRecords = 256;

    public static BsonDocument Create(List<BsonDocument> records, int start, int count)
    {
        var array = new BsonArray(new List<BsonValue>(count));
        for (var i = start; i < start + count; i++)
        {
            array.Add(records[i]);
        }

        return new BsonDocument
        {
            ["_id"] = records[start + count - 1]["_id"],
            [Records] = array,
        };
    }

    public static bool IsPack(BsonDocument doc) => doc.ContainsKey(Records);

    /// <summary>
    /// The records of one stored document, in stored order (a document that is not a pack is one
    /// record). Elements of a pack that are not documents are left out: <see cref="Problem"/> names them.
    /// </summary>
    public static IEnumerable<BsonDocument> Expand(BsonDocument doc)
    {
        if (!doc.TryGetValue(Records, out var records))
        {
            yield return doc;
            yield break;
        }

        if (!records.IsArray)
        {
            yield break;
        }

        foreach (var record in records.AsArray)
        {
            if (record.IsDocument)
            {
                yield return record.AsDocument;
            }
        }
    }

    /// <summary>Why a stored pack cannot be read as the records it claims to hold; null when it can (or is no pack).</summary>
    public static string? Problem(BsonDocument doc)
    {
        if (!doc.TryGetValue(Records, out var records))
        {
            return null;
        }

        var id = Describe(doc["_id"]);
        if (!records.IsArray || records.AsArray.Count == 0)
        {
            return $"the audit pack keyed {id} holds no records";
        }

        var array = records.AsArray;
        for (var i = 0; i < array.Count; i++)
        {
            if (!array[i].IsDocument)
            {
                return $"element {i} of the audit pack keyed {id} is not a record";
            }
        }

        var last = array[^1].AsDocument["_id"];
        return last == doc["_id"] ? null : $"the audit pack keyed {id} ends with record {Describe(last)} (a pack is keyed by its last record)";
    }

    private static string Describe(BsonValue value) =>
        value.IsInt64 || value.IsInt32 ? value.AsInt64.ToString(System.Globalization.CultureInfo.InvariantCulture) : value.ToString();
}
