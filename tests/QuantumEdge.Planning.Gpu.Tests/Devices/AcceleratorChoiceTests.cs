using QuantumEdge.Planning.Gpu.Devices;

namespace QuantumEdge.Planning.Gpu.Tests.Devices;

/// <summary>
/// The CPU accelerator the planner opens with <c>--accelerator cpu</c>. Its simulated lanes are OS
/// threads that meet at barriers several times per kernel launch. With eight of them (a 4-wide warp,
/// two warps) on a 2-core host whose cores were busy, every meeting waited for eight threads to be
/// scheduled behind the busy ones: a planner given 2 s answered nothing in 30 s, every later solve was
/// refused as busy, and CI's planner tests fell back to the CPU. Two lanes in one group (the smallest
/// device ILGPU simulates) did the same solves 7× faster unloaded and kept answering under that load.
/// </summary>
public sealed class AcceleratorChoiceTests
{
    [Fact]
    public void The_cpu_accelerator_runs_a_group_on_two_lanes_of_one_multiprocessor()
    {
        var (context, accelerator) = AcceleratorChoice.Open("cpu");
        using var ctx = context;
        using var acc = accelerator;

        Assert.Equal("cpu", AcceleratorChoice.Kind(accelerator));
        Assert.Equal(2, accelerator.WarpSize);
        Assert.Equal(2, accelerator.MaxNumThreadsPerGroup);
        Assert.Equal(1, accelerator.NumMultiprocessors);
    }

    [Fact]
    public void An_unknown_accelerator_name_is_refused_with_the_names_it_takes()
    {
        var e = Assert.Throws<ArgumentException>(() => AcceleratorChoice.Open("tpu"));
        Assert.Contains("auto, cuda, opencl, cpu", e.Message, StringComparison.Ordinal);
        Assert.Contains("'tpu'", e.Message, StringComparison.Ordinal);
    }
}
