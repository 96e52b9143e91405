namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>One entity type found in a text and the best confidence any of its matches reached. Never the matched text.</summary>
internal readonly record struct PhiFinding(string Entity, double Confidence);
