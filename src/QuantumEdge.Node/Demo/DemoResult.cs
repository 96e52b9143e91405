namespace QuantumEdge.Node.Demo;

/// <summary>How one demo request ended, as the client saw it.</summary>
internal sealed record DemoResult(DemoRequest Request, int Status, double LatencyMs, double FirstByteMs, string? Backend, string? ErrorCode);
