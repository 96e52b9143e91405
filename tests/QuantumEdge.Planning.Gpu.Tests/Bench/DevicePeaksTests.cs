using QuantumEdge.Planning.Gpu.Benchmarks;

namespace QuantumEdge.Planning.Gpu.Tests.Bench;

public sealed class DevicePeaksTests
{
    [Fact]
    public void The_drivers_memory_clock_in_MHz_and_bus_width_give_the_published_bandwidth()
    {
        // What ILGPU reported for the H200 of the first GPU run (2026-12-04): 3,201 MHz, 6,016 bits.
        // The roofline took the MHz for kHz and printed 5 GB/s against the published 4,800 GB/s.
        var bytes = DevicePeaks.FromDriver(3201, 6016);

        Assert.NotNull(bytes);
        Assert.InRange(bytes.Value / 1e9, 4800 * 0.99, 4800 * 1.01);
    }

    [Theory]
    [InlineData(0, 6016)]
    [InlineData(3201, 0)]
    public void A_missing_clock_or_width_gives_no_bandwidth(int clockMhz, int widthBits) =>
        Assert.Null(DevicePeaks.FromDriver(clockMhz, widthBits));
}
