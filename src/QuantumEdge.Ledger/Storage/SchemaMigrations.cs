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

    /// <summary>For readers, which change nothing: refuses a store written by a newer build.</summary>
    public static void EnsureKnown(LiteDatabase db)
    {
        var version = Version(db);
        if (version > CurrentVersion)
        {
            throw Newer(version);
        }
    }

    /// <summary>Brings the store to <see cref="CurrentVersion"/>; returns the version it found.</summary>
    public static int Migrate(LiteDatabase db)
    {
        var meta = db.GetCollection(Collections.Meta);
        var version = Version(db);
        if (version > CurrentVersion)
        {
            throw Newer(version);
        }

        for (var next = version + 1; next <= CurrentVersion; next++)
        {
            Steps[next - 1](db);
            meta.Upsert(new BsonDocument { ["_id"] = Collections.SchemaDoc, ["version"] = next });
        }

        return version;
    }

    public static int Version(LiteDatabase db)
    {
        var schema = db.GetCollection(Collections.Meta).FindById(Collections.SchemaDoc);
        return schema is null ? 0 : schema["version"].AsInt32;
    }

    private static LedgerException Newer(int version) =>
        new($"The ledger was written by a newer QuantumEdge (schema {version}; this build knows {CurrentVersion}).");
}
