using System.Buffers.Binary;
using System.Text;
using QuantumEdge.Ledger.Crypto;

namespace QuantumEdge.Ledger.Audit;

/// <summary>What a signed statement about the chain asserts.</summary>
internal enum ChainPointKind
{
    /// <summary>"Record Seq has hash Hash" (checkpoints and the head file).</summary>
    Checkpoint,

    /// <summary>"The chain kept starts at Seq, and its first record links to Hash" (retention).</summary>
    Anchor,
}

/// <summary>A signed (seq, hash, time) statement about the audit chain.</summary>
internal readonly record struct SignedChainPoint(long Seq, byte[] Hash, long TimeTicks, byte[] Signature)
{
    public static SignedChainPoint Sign(ChainPointKind kind, long seq, byte[] hash, long timeTicks, NodeIdentity identity) =>
        new(seq, hash, timeTicks, identity.Sign(Message(kind, seq, hash, timeTicks)));

    public bool IsValid(ChainPointKind kind, NodeIdentity identity) =>
        Hash.Length == CanonicalEncoder.HashSize && identity.Verify(Message(kind, Seq, Hash, TimeTicks), Signature);

    private static byte[] Message(ChainPointKind kind, long seq, byte[] hash, long timeTicks)
    {
        var tag = Encoding.ASCII.GetBytes(kind == ChainPointKind.Checkpoint ? "QE-LEDGER-CHECKPOINT-v1" : "QE-LEDGER-ANCHOR-v1");
        var message = new byte[tag.Length + 16 + hash.Length];
        tag.CopyTo(message, 0);
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(tag.Length), seq);
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(tag.Length + 8), timeTicks);
        hash.CopyTo(message, tag.Length + 16);
        return message;
    }
}
