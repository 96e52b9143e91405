using System.Reflection;

namespace QuantumEdge.Node.Hosting;

/// <summary>The product version, from the assembly's informational version.</summary>
internal static class NodeVersion
{
    public static string Current { get; } =
        typeof(NodeVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
