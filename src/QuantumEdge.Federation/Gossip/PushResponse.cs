using QuantumEdge.Federation.Witness;

namespace QuantumEdge.Federation.Gossip;

/// <summary>A peer's answer to a push: its status (202 accepted, 400/401/409 refused), the reason code, and its receipt for the envelope's audit head.</summary>
public sealed record PushResponse(int Status, string? Reason, WitnessReceipt? Receipt);
