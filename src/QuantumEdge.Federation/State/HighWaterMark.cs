namespace QuantumEdge.Federation.State;

/// <summary>The newest envelope accepted from one origin: its (epoch, seq) and hash.</summary>
public sealed record HighWaterMark(long Epoch, long Seq, byte[] Hash)
{
    /// <summary>Lexicographic (epoch, seq) order.</summary>
    public int CompareTo(long epoch, long seq) => Epoch != epoch ? Epoch.CompareTo(epoch) : Seq.CompareTo(seq);
}
