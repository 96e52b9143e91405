using System.Globalization;
using System.Text;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>The device the figures were measured on: kind, name, memory, bandwidth and where that came from.</summary>
internal static class DevicePart
{
    public static BenchSection Run(BenchContext context)
    {
        var accelerator = context.Accelerator;
        var peak = DevicePeaks.Of(accelerator);
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"- kind: {context.Kind}{(context.IsGpu ? "" : " — ILGPU CPU accelerator, not a GPU")}\n");
        body.Append(CultureInfo.InvariantCulture, $"- name: {accelerator.Name}\n");
        // The CPU accelerator reports long.MaxValue: its "device memory" is the host's.
        body.Append(accelerator.MemorySize >= 1L << 50 ? "- memory: the host's (no device memory)\n" : string.Create(CultureInfo.InvariantCulture, $"- memory: {accelerator.MemorySize / (1024.0 * 1024 * 1024):F1} GiB\n"));
        body.Append(CultureInfo.InvariantCulture, $"- multiprocessors: {accelerator.NumMultiprocessors}, warp size {accelerator.WarpSize}, max threads/group {accelerator.MaxNumThreadsPerGroup}\n");
        body.Append(CultureInfo.InvariantCulture, $"- peak memory bandwidth: {(peak.BytesPerSecond is { } b ? $"{b / 1e9:F0} GB/s" : "n/a")}; peak fp32: {(peak.FlopsPerSecond is { } f ? $"{f / 1e12:F1} TFLOP/s" : "n/a")} ({peak.Source})\n");
        return new BenchSection("Device", body.ToString());
    }
}
