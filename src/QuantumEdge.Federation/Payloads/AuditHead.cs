namespace QuantumEdge.Federation.Payloads;

/// <summary>The head of an origin's audit chain: the sequence number of its newest record and that record's chain hash (32 bytes).</summary>
public sealed record AuditHead(long Seq, byte[] Hash)
{
    public const int HashSize = 32;

    public bool SameAs(AuditHead other) => other is not null && Seq == other.Seq && Hash.AsSpan().SequenceEqual(other.Hash);
}
