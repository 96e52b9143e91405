namespace QuantumEdge.Federation.Gossip;

/// <summary>What one gossip round did (for metrics and tests).</summary>
public sealed record GossipRoundReport(int PeersContacted, int PeersFailed, int EnvelopesPulled, int EnvelopesAccepted, int EnvelopesPushed,
    int ReceiptsKept, long BytesPulled, long BytesPushed);
