using ILGPU;
using ILGPU.Runtime;

namespace QuantumEdge.Planning.Gpu.Kernels;

/// <summary>
/// Loads the planner's implicitly grouped kernels as stream launchers. On a GPU, ILGPU sizes their
/// groups (from occupancy on CUDA, from the kernel's work-group size on OpenCL). On ILGPU's CPU
/// accelerator a group is one thread: its parallel processor makes the lanes of a group meet at a
/// barrier after every group, so groups of the warp's two lanes cost a meeting per two threads of the
/// grid (3,200 per launch of G1 with 8 agents). With busy cores each meeting waited for a descheduled
/// lane: beside six busy processes a launch took about 1.5 s and a 28 s solve answered 3 s late. With
/// groups of one, the first lane runs the whole grid and the second meets it only at a launch's start
/// and end; one lane computing was still 2.3–3.6× faster idle than two meeting after every group.
/// </summary>
internal static class KernelLoader
{
    /// <summary>The launcher for <paramref name="kernel"/>: <typeparamref name="TLauncher"/> is its signature with an <see cref="AcceleratorStream"/> in front.</summary>
    public static TLauncher Load<TLauncher>(Accelerator accelerator, Delegate kernel)
        where TLauncher : Delegate
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        ArgumentNullException.ThrowIfNull(kernel);
        return accelerator.AcceleratorType == AcceleratorType.CPU
            ? accelerator.LoadImplicitlyGroupedKernel<TLauncher>(kernel.Method, customGroupSize: 1)
            : accelerator.LoadAutoGroupedKernel<TLauncher>(kernel.Method);
    }
}
