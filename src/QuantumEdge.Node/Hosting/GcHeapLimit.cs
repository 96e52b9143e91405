namespace QuantumEdge.Node.Hosting;

/// <summary>
/// <c>resources.memory_limit</c> as the runtime's GC heap hard limit: 75 % of the limit (the share .NET itself takes of a
/// container's memory limit), leaving the rest for native memory, code and buffers, so that the managed heap throws
/// <see cref="OutOfMemoryException"/> at a known size instead of the process growing until the kernel kills it.
/// Process-wide, so only <c>serve</c> applies it (the demo hosts three nodes in one process).
/// </summary>
internal static class GcHeapLimit
{
    /// <summary>Share of <c>memory_limit</c> the managed heap may use.</summary>
    public const double HeapShare = 0.75;

    /// <summary>The heap limit for a memory limit of <paramref name="memoryLimitBytes"/>.</summary>
    public static ulong For(double memoryLimitBytes) => (ulong)(memoryLimitBytes * HeapShare);

    /// <summary>Sets the limit and has the GC take it up; returns what the GC now reports as available to it.</summary>
    /// <exception cref="InvalidOperationException">The limit is below what the heap already holds.</exception>
    public static long Apply(ulong heapLimitBytes)
    {
        AppContext.SetData("GCHeapHardLimit", heapLimitBytes);
        GC.RefreshMemoryLimit();
        // TotalAvailableMemoryBytes is sampled at a collection: take one so the reported figure is the new limit.
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
