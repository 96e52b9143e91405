using LiteDB;

namespace QuantumEdge.Ledger.LiteDb;

/// <summary>
/// Schema versions of the store. Each step upgrades from version N-1 to N inside one
/// transaction at open; add version N+1 as another entry in <see cref="Steps"/>. A step gets the
/// open store, or null while a new store is being created (nothing to convert then).
/// </summary>
internal static class SchemaMigrations
{
    public const int CurrentVersion = 3;

    /// <summary>From this version on every budget row carries a MAC.</summary>
    public const int SealedBudgetsVersion = 2;

    private static readonly Action<LiteDatabase, LedgerStore?>[] Steps =
    [
        // 0 -> 1: initial layout.
        (db, _) =>
        {
            var budgets = db.GetCollection(Collections.Budgets);
            budgets.EnsureIndex("day", "$.day");
            budgets.EnsureIndex("exp", "$.exp");
        },

        // 1 -> 2: seal budget rows with a MAC, but only rows the audit chain vouches for.
        (_, store) =>
        {
            if (store is not null)
            {
                BudgetSealMigration.Run(store);
            }
        },

        // 2 -> 3: new audit records are stored a pack per group commit (AuditPack). Records stored one per document
        // stay as they are and are read as before; the version keeps an older build, which would not see the
        // records in packs, from opening the store.
        (_, _) => { },
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
    public static int Migrate(LiteDatabase db, LedgerStore? store)
    {
        var meta = db.GetCollection(Collections.Meta);
        var version = Version(db);
        if (version > CurrentVersion)
        {
            throw Newer(version);
        }

        for (var next = version + 1; next <= CurrentVersion; next++)
        {
            Steps[next - 1](db, store);
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
