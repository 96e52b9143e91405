using ILGPU;
using ILGPU.Runtime;
using QuantumEdge.Planning.Gpu.Kernels;

namespace QuantumEdge.Planning.Gpu.Tests.Kernels;

/// <summary>
/// The planner's kernels on ILGPU's CPU accelerator run in groups of one thread, so a launch makes the
/// simulated lanes meet only at its start and end, not after every group of the grid.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class KernelLoaderTests(CpuAccelerator cpu)
{
    private readonly Accelerator _accelerator = cpu.Accelerator;

    [Fact]
    public void On_the_cpu_accelerator_every_thread_is_a_group_of_its_own()
    {
        var launch = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>>>(_accelerator, RecordGroup);
        var (sizes, groups) = Run(launch);

        Assert.All(sizes, s => Assert.Equal(1, s));
        Assert.Equal(Enumerable.Range(0, sizes.Length), groups);
    }

    [Fact]
    public void Auto_grouping_on_the_cpu_accelerator_puts_a_warp_of_two_lanes_in_each_group()
    {
        // What the loader avoids: ILGPU's auto grouping on the CPU takes the warp as the group.
        var launch = _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>>(RecordGroup);
        var (sizes, groups) = Run(launch);

        Assert.All(sizes, s => Assert.Equal(2, s));
        Assert.Equal(Enumerable.Range(0, sizes.Length).Select(i => i / 2), groups);
    }

    private (int[] Sizes, int[] Groups) Run(Action<AcceleratorStream, Index1D, ArrayView<int>, ArrayView<int>> launch)
    {
        const int threads = 64;
        using var sizes = _accelerator.Allocate1D<int>(threads);
        using var groups = _accelerator.Allocate1D<int>(threads);
        launch(_accelerator.DefaultStream, threads, sizes.View, groups.View);
        _accelerator.Synchronize();
        return (sizes.GetAsArray1D(), groups.GetAsArray1D());
    }

    private static void RecordGroup(Index1D index, ArrayView<int> sizes, ArrayView<int> groups)
    {
        sizes[index] = Group.DimX;
        groups[index] = Grid.IdxX;
    }
}
