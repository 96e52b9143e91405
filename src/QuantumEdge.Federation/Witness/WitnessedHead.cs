using QuantumEdge.Federation.Payloads;

namespace QuantumEdge.Federation.Witness;

/// <summary>An audit head this node saw from an origin, with when and in which envelope it first saw it.</summary>
public sealed record WitnessedHead(AuditHead Head, DateTimeOffset FirstSeen, long EnvelopeEpoch, long EnvelopeSeq);
