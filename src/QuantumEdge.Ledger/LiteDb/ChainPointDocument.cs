using LiteDB;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>BSON mapping of a <see cref="SignedChainPoint"/> (checkpoints use seq as _id).</summary>
internal static class ChainPointDocument
{
    public static BsonDocument ToDocument(SignedChainPoint point) => new()
    {
        ["_id"] = point.Seq,
        ["seq"] = point.Seq,
        ["h"] = point.Hash,
        ["t"] = point.TimeTicks,
        ["sig"] = point.Signature,
    };

    public static SignedChainPoint FromDocument(BsonDocument doc) => new(
        doc["seq"].AsInt64,
        doc["h"].IsBinary ? doc["h"].AsBinary : [],
        doc["t"].AsInt64,
        doc["sig"].IsBinary ? doc["sig"].AsBinary : []);
}
