namespace QuantumEdge.Ledger.LiteDb;

/// <summary>A stream LiteDB reads and writes a ledger file through; the writer makes it durable with <see cref="SyncIfDirty"/>.</summary>
internal abstract class LedgerFileStream : Stream
{
    /// <summary>Makes written bytes durable (an fsync), or does nothing when nothing reaches the disk.</summary>
    public abstract void SyncIfDirty();
}
