namespace QuantumEdge.Federation.Witness;

/// <summary>One receipt's outcome in a witness check, with a sentence for the operator.</summary>
public sealed record WitnessFinding(WitnessFindingKind Kind, WitnessReceipt Receipt, string Detail);
