namespace QuantumEdge.Federation.Store;

/// <summary>What a node holds of one origin: the newest (epoch, seq) it has accepted.</summary>
public readonly record struct DigestEntry(long Epoch, long Seq)
{
    public bool IsNewerThan(DigestEntry other) => Epoch != other.Epoch ? Epoch > other.Epoch : Seq > other.Seq;
}
