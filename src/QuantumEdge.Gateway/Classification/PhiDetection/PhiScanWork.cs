namespace QuantumEdge.Gateway.Classification.PhiDetection;

/// <summary>How much pattern work one scan did: attempts and scans made, and the characters they walked.</summary>
internal readonly record struct PhiScanWork(int PatternCalls, long CharactersScanned);
