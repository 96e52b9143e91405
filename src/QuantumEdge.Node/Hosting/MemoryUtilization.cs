using System.Globalization;
using Prometheus;
using QuantumEdge.Gateway.Telemetry;

namespace QuantumEdge.Node.Hosting;

/// <summary>
/// The deployment guide's <c>memory_utilization</c>: the process's working set as a fraction of
/// <c>resources.memory_limit</c> (alert above 0.8), refreshed at each scrape.
/// </summary>
internal sealed class MemoryUtilization(CollectorRegistry registry, string memoryLimit)
{
    private readonly Gauge _gauge = NodeMetricFactory.For(registry)
        .CreateGauge("memory_utilization", "Working set as a fraction of resources.memory_limit.");
    private readonly Gauge _heapLimit = NodeMetricFactory.For(registry)
        .CreateGauge("quantumedge_gc_heap_limit_bytes", "Memory the GC may use for the managed heap: 75% of resources.memory_limit under 'serve', the runtime's own figure otherwise.");
    private readonly Gauge _cores = NodeMetricFactory.For(registry)
        .CreateGauge("quantumedge_cpu_cores_allowed", "Cores the process may run on: resources.cpu_limit rounded up, within the affinity it started with.");
    private readonly double _limitBytes = ParseQuantity(memoryLimit);

    public void Update()
    {
        _gauge.Set(Environment.WorkingSet / _limitBytes);
        _heapLimit.Set(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        _cores.Set(CpuLimit.Current());
    }

    /// <summary>Kubernetes memory quantities: 8Gi, 512Mi, 1G, 1048576.</summary>
    public static double ParseQuantity(string text)
    {
        (string Suffix, double Factor)[] units = [("Ki", 1024), ("Mi", 1024 * 1024), ("Gi", 1024d * 1024 * 1024), ("Ti", 1024d * 1024 * 1024 * 1024), ("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12)];
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal))
            {
                return double.Parse(text[..^suffix.Length], CultureInfo.InvariantCulture) * factor;
            }
        }

        return double.Parse(text, CultureInfo.InvariantCulture);
    }
}
