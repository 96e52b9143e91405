using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// A device's peaks for the roofline. Memory bandwidth comes from the CUDA driver (2 × memory clock
/// × bus width: the double data rate of every current NVIDIA memory), else from a table of published
/// figures by device name; fp32 peak only from the table (the driver does not say how many fp32
/// lanes an SM has).
/// </summary>
internal static class DevicePeaks
{
    /// <summary>Name fragment → published peak GB/s and fp32 TFLOP/s; more specific names first.</summary>
    private static readonly (string Name, double GigabytesPerSecond, double Teraflops)[] Known =
    [
        ("H200", 4800, 67), ("H100 PCIe", 2000, 51), ("H100 NVL", 3900, 60), ("H100", 3350, 67),
        ("A100-PCIE-40GB", 1555, 19.5), ("A100-SXM4-40GB", 1555, 19.5), ("A100 80GB PCIe", 1935, 19.5), ("A100", 2039, 19.5),
        ("L40S", 864, 91.6), ("L40", 864, 90.5), ("L4", 300, 30.3), ("A30", 933, 10.3), ("A10", 600, 31.2),
        ("T4", 320, 8.1), ("V100", 900, 15.7), ("RTX 4090", 1008, 82.6), ("RTX 3090", 936, 35.6),
        ("MI300X", 5300, 163.4), ("MI250", 3277, 47.9),
    ];

    public static DevicePeak Of(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        if (accelerator.AcceleratorType == AcceleratorType.CPU)
        {
            return new DevicePeak(null, null, "not applicable: ILGPU's CPU accelerator simulates a GPU on host threads");
        }

        var known = Known.FirstOrDefault(k => accelerator.Name.Contains(k.Name, StringComparison.OrdinalIgnoreCase));
        double? flops = known.Name is null ? null : known.Teraflops * 1e12;
        var flopsSource = known.Name is null ? "fp32 peak unknown" : $"fp32 peak {known.Teraflops} TFLOP/s published for '{known.Name}'";
        if (accelerator is CudaAccelerator cuda && FromDriver(cuda.MemoryClockRate, cuda.MemoryBusWidth) is { } bytes)
        {
            return new DevicePeak(bytes, flops, $"bandwidth from the CUDA driver: memory clock {cuda.MemoryClockRate} MHz × {cuda.MemoryBusWidth}-bit bus × 2 (DDR); {flopsSource}");
        }

        return known.Name is null
            ? new DevicePeak(null, null, "unknown: the driver gave no memory clock and the device is not in the table")
            : new DevicePeak(known.GigabytesPerSecond * 1e9, flops, $"published peaks for '{known.Name}' (table; the driver gave no memory clock)");
    }

    /// <summary>
    /// Bytes/s from the memory clock and bus width as ILGPU reports them: the clock in MHz (ILGPU
    /// divides the driver's kHz by 1,000; an H200 reads 3,201) and the width in bits; null if either
    /// is missing. The first H200 run took the MHz for kHz and printed 5 GB/s.
    /// </summary>
    internal static double? FromDriver(int memoryClockMhz, int busWidthBits) =>
        memoryClockMhz > 0 && busWidthBits > 0 ? 2.0 * memoryClockMhz * 1e6 * busWidthBits / 8 : null;
}

/// <summary>Peak memory bandwidth (bytes/s) and fp32 rate (flop/s) where known, and where they came from.</summary>
internal sealed record DevicePeak(double? BytesPerSecond, double? FlopsPerSecond, string Source);
