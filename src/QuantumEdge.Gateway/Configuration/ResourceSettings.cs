namespace QuantumEdge.Gateway.Configuration;

/// <summary>The deployment guide's <c>resources</c> block.</summary>
public sealed record ResourceSettings
{
    public string MemoryLimit { get; init; } = "8Gi";
    public string CpuLimit { get; init; } = "4000m";
    public string GpuLimit { get; init; } = "1";

    /// <summary><c>gpu_limit: 0</c> keeps every solve on the CPU: the GPU planner process is never used.</summary>
    public bool AllowsGpuPlanner => double.Parse(GpuLimit, System.Globalization.CultureInfo.InvariantCulture) > 0;
    /// <summary>Agents per simulated-bifurcation solve.</summary>
    public int MaxSuperpositions { get; init; } = 100;
    /// <summary>Most coupled task pairs a plan may hold.</summary>
    public int MaxEntanglements { get; init; } = 50;
    /// <summary>Size of the planner's warm-start pool.</summary>
    public int CoherencePoolSize { get; init; } = 1000;

    internal static ResourceSettings Read(YamlSection s)
    {
        var d = new ResourceSettings();
        var result = new ResourceSettings
        {
            MemoryLimit = Quantity(s, "memory_limit", d.MemoryLimit, "Ki|Mi|Gi|Ti|K|M|G|T"),
            CpuLimit = Quantity(s, "cpu_limit", d.CpuLimit, "m"),
            GpuLimit = Quantity(s, "gpu_limit", d.GpuLimit, ""),
            MaxSuperpositions = s.Int("max_superpositions", d.MaxSuperpositions, 1, 100_000),
            MaxEntanglements = s.Int("max_entanglements", d.MaxEntanglements, 0, 1_000_000),
            CoherencePoolSize = s.Int("coherence_pool_size", d.CoherencePoolSize, 0, 1_000_000),
        };
        s.RejectUnknownKeys();
        return result;
    }

    private static string Quantity(YamlSection s, string key, string fallback, string suffixes)
    {
        var v = s.String(key, fallback).Trim();
        var pattern = suffixes.Length == 0 ? @"^\d+(\.\d+)?$" : $@"^\d+(\.\d+)?({suffixes})?$";
        return System.Text.RegularExpressions.Regex.IsMatch(v, pattern)
            ? v
            : throw new ConfigurationException(s.KeyPath(key), $"'{v}' is not a Kubernetes quantity");
    }
}
