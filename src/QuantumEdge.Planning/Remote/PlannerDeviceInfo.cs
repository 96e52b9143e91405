namespace QuantumEdge.Planning.Remote;

/// <summary>
/// What the planner process runs on, from its handshake: kind ("cuda", "opencl", "cpu"), name, memory,
/// and the kernels it compiled and ran once before it started listening.
/// </summary>
public sealed record PlannerDeviceInfo(string Kind, string Name, long MemoryBytes)
{
    /// <summary>Names of the kernels the planner has loaded (empty until it has warmed them up).</summary>
    public IReadOnlyList<string> Kernels { get; init; } = [];
}
