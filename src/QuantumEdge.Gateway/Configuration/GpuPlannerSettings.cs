namespace QuantumEdge.Gateway.Configuration;

/// <summary>
/// <c>quantum_planning.gpu</c>: where the GPU planner process (<c>quantumedge-planner</c>) listens and
/// which solves are worth sending it. The node works the same without it: solves fall back to the CPU.
/// </summary>
public sealed record GpuPlannerSettings
{
    /// <summary>The planner's Unix socket; null = <c>&lt;node.data_dir&gt;/planner.sock</c>.</summary>
    public string? SocketPath { get; init; }

    /// <summary>
    /// Problems with fewer variables stay on the CPU: below the crossover the socket round trip and
    /// kernel launches cost more than the CPU solve (interactive micro-batches are a few hundred).
    /// </summary>
    public int MinVariables { get; init; } = 4096;

    public string ResolveSocketPath(NodeSettings node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return SocketPath ?? Path.Combine(node.DataDir, "planner.sock");
    }

    internal static GpuPlannerSettings Read(YamlSection s)
    {
        var d = new GpuPlannerSettings();
        var path = s.String("socket_path", "");
        var result = new GpuPlannerSettings
        {
            SocketPath = path.Length == 0 ? null : path,
            MinVariables = s.Int("min_variables", d.MinVariables, 1, int.MaxValue),
        };
        s.RejectUnknownKeys();
        return result;
    }
}
