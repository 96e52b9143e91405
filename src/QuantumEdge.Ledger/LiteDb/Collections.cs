namespace QuantumEdge.Ledger.LiteDb;

/// <summary>LiteDB collection names and meta document ids.</summary>
internal static class Collections
{
    public const string Meta = "meta";
    public const string Audit = "audit";
    public const string Checkpoints = "checkpoints";
    public const string Budgets = "budgets";
    public const string Refunds = "refunds";
    public const string Batches = "batches";
    public const string BatchLines = "batch_lines";

    public const string SchemaDoc = "schema";
    public const string KdfDoc = "kdf";
    public const string AnchorDoc = "anchor";
    public const string NodeDoc = "node";
}
