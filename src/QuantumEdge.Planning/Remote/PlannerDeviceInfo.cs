namespace QuantumEdge.Planning.Remote;

/// <summary>What the planner process runs on, from its handshake: kind ("cuda", "opencl", "cpu"), name and memory.</summary>
public sealed record PlannerDeviceInfo(string Kind, string Name, long MemoryBytes);
