namespace QuantumEdge.Node.Hosting;

/// <summary>When the node started, for uptime.</summary>
internal sealed record NodeClock(long StartedTimestamp);
