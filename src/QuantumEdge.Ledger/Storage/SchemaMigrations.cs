using LiteDB;

namespace QuantumEdge.Ledger.Storage;

/// <summary>
/// Schema versions of the store. Each step upgrades from version N-1 to N inside one
/// transaction at open; add version 2 as another entry in <see cref="Steps"/>.
/// </summary>
internal static class SchemaMigrations
{
    public const int CurrentVersion = 1;

    private static readonly Action<LiteDatabase>[] Steps =
    [
        // 0 -> 1: initial layout.
        db =>
        {
            var budgets = db.GetCollection(Collections.Budgets);
            budgets.EnsureIndex("day", "$.day");
            budgets.EnsureIndex("exp", "$.exp");
        },
    ];

    /// <summary>Brings the store to <see cref="CurrentVersion"/>; returns the version it found.</summary>
    public static int Migrate(LiteDatabase db)
    {
        var meta = db.GetCollection(Collections.Meta);
        var schema = meta.FindById(Collections.SchemaDoc);
        var version = schema is null ? 0 : schema["version"].AsInt32;
        if (version > CurrentVersion)
        {
            throw new LedgerException(
                $"The ledger was written by a newer QuantumEdge (schema {version}; this build knows {CurrentVersion}).");
        }

        for (var next = version + 1; next <= CurrentVersion; next++)
        {
            Steps[next - 1](db);
            meta.Upsert(new BsonDocument { ["_id"] = Collections.SchemaDoc, ["version"] = next });
        }

        return version;
    }
}
