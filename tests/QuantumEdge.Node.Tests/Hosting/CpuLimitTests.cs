using QuantumEdge.Node.Hosting;

namespace QuantumEdge.Node.Tests.Hosting;

public sealed class CpuLimitTests
{
    [Theory]
    [InlineData("4000m", 4)]
    [InlineData("1500m", 2)]
    [InlineData("100m", 1)]
    [InlineData("2", 2)]
    [InlineData("0.5", 1)]
    public void A_cpu_quantity_rounds_up_to_whole_cores(string quantity, int cores)
    {
        Assert.Equal(cores, CpuLimit.Cores(quantity));
    }

    [Theory]
    [InlineData(0b1111UL, 2, 0b0011UL)]
    [InlineData(0b1111_0000UL, 3, 0b0111_0000UL)]
    [InlineData(0b1010_1010UL, 2, 0b0000_1010UL)]
    [InlineData(0b0110UL, 8, 0b0110UL)]
    public void The_limit_keeps_the_lowest_cores_of_the_affinity_the_process_started_with(ulong mask, int cores, ulong kept)
    {
        Assert.Equal(kept, CpuLimit.Restrict(mask, cores));
    }
}
