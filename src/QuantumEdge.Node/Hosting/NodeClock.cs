namespace QuantumEdge.Node.Hosting;

/// <summary>When the node started, for uptime.</summary>
public sealed record NodeClock(long StartedTimestamp);
