using System.Security.Cryptography;
using LiteDB;
using QuantumEdge.Ledger.Audit;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// An HMAC-SHA256 over a budget row's canonical fields under a key derived from MASTER_KEY, so a
/// row changed outside the node (spend zeroed, moved to another user or day) no longer matches.
/// Writer thread only (it shares one encoder).
/// </summary>
internal sealed class BudgetSeal(byte[] key)
{
    public const string Field = "mac";
    private const string Domain = "QE-BUDGET-ROW-v1";
    private readonly CanonicalEncoder _encoder = new();

    public byte[] Compute(BudgetRow row)
    {
        _encoder.Reset(Domain)
            .String(row.Id)
            .String(row.Day)
            .Int64(row.ExpiresTicks)
            .Bytes(row.UserHash)
            .Bytes(row.User)
            .Bytes(row.Department)
            .Int64(row.State.Queries)
            .Double(row.State.RdpRate)
            .Double(row.State.BasicEpsilon);
        return HMACSHA256.HashData(key, _encoder.Written);
    }

    public BsonDocument Seal(BudgetRow row)
    {
        var doc = row.ToDocument();
        doc[Field] = Compute(row);
        return doc;
    }

    /// <summary>The row, when the document is well formed and its MAC matches; otherwise null.</summary>
    public BudgetRow? Open(BsonDocument doc)
    {
        BudgetRow row;
        try
        {
            row = BudgetRow.FromDocument(doc);
        }
        catch (Exception ex) when (ex is InvalidCastException or NullReferenceException)
        {
            return null;
        }

        var mac = doc[Field];
        return mac.IsBinary && CryptographicOperations.FixedTimeEquals(mac.AsBinary, Compute(row)) ? row : null;
    }

    /// <summary>How to name a row to an operator: its id is the day and a keyed hash of the user, never the user id.</summary>
    public static string Describe(BsonDocument doc) =>
        doc["_id"].IsString ? $"budget row '{doc["_id"].AsString}'" : "a budget row with a malformed id";
}
