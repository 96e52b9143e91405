namespace QuantumEdge.Federation.Store;

/// <summary>
/// What a node holds of one origin: the newest (epoch, seq) it has accepted and that envelope's
/// hash (lower-case hex). Two nodes at the same (epoch, seq) with different hashes hold an
/// equivocation between them, which anti-entropy then brings together.
/// </summary>
public readonly record struct DigestEntry(long Epoch, long Seq, string? Hash = null)
{
    public bool IsNewerThan(DigestEntry other) => Epoch != other.Epoch ? Epoch > other.Epoch : Seq > other.Seq;

    /// <summary>Same (epoch, seq), different envelopes.</summary>
    public bool ConflictsWith(DigestEntry other) => Epoch == other.Epoch && Seq == other.Seq && Hash is not null && other.Hash is not null
        && !string.Equals(Hash, other.Hash, StringComparison.Ordinal);
}
