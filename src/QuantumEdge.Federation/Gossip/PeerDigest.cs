using QuantumEdge.Federation.Store;
using QuantumEdge.Federation.Witness;

namespace QuantumEdge.Federation.Gossip;

/// <summary>A peer's digest (origin → newest (epoch, seq) it holds) and, when it has one, its receipt for the requester's newest audit head.</summary>
public sealed record PeerDigest(IReadOnlyDictionary<string, DigestEntry> Origins, WitnessReceipt? Receipt);
