using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace QuantumEdge.Planning.Gpu.Devices;

/// <summary>
/// Opens the accelerator the planner runs on: <c>auto</c> takes the first CUDA device, then the
/// first OpenCL GPU, and never falls to the CPU (a CPU "GPU planner" would only compete with the
/// node for cores); <c>cpu</c> is ILGPU's CPU accelerator, for tests and machines without a GPU.
/// </summary>
internal static class AcceleratorChoice
{
    public static readonly string[] Names = ["auto", "cuda", "opencl", "cpu"];

    /// <summary>The context and accelerator, or an error naming why none was opened.</summary>
    /// <exception cref="InvalidOperationException">No device of the requested kind.</exception>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public static (Context Context, Accelerator Accelerator) Open(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!Names.Contains(name))
        {
            throw new ArgumentException($"--accelerator must be one of {string.Join(", ", Names)}, got '{name}'", nameof(name));
        }

        var context = name == "cpu"
            // The smallest device ILGPU simulates (a 2-wide warp, one group): each simulated lane is an OS
            // thread, and every launch makes all of them meet at barriers. Eight lanes on a 2-core host
            // with busy cores waited behind the busy threads at every meeting and stopped making progress;
            // two lanes were 7x faster unloaded and kept answering under the same load. The planner's
            // kernels run there in groups of one thread (KernelLoader): the first lane computes, the second
            // meets it only at a launch's ends.
            ? Context.Create(b => b.CPU(new CPUDevice(2, 1, 1)).EnableAlgorithms().Optimize(OptimizationLevel.O1))
            : Context.Create(b => b.Cuda().OpenCL().EnableAlgorithms().Optimize(OptimizationLevel.O2));
        try
        {
            var cuda = context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda);
            var openCl = context.Devices.FirstOrDefault(d => d is CLDevice cl && cl.DeviceType == CLDeviceType.CL_DEVICE_TYPE_GPU);
            var device = name switch
            {
                "cpu" => context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.CPU),
                "cuda" => cuda,
                "opencl" => openCl,
                _ => cuda ?? openCl,
            };
            if (device is null)
            {
                throw new InvalidOperationException(name == "auto"
                    ? "no CUDA or OpenCL GPU found (use --accelerator cpu to run on ILGPU's CPU accelerator)"
                    : $"no {name} device found");
            }

            return (context, device.CreateAccelerator(context));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>"cuda", "opencl" or "cpu": the kind status and metrics report.</summary>
    public static string Kind(Accelerator accelerator)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        return accelerator.AcceleratorType switch
        {
            AcceleratorType.Cuda => "cuda",
            AcceleratorType.OpenCL => "opencl",
            _ => "cpu",
        };
    }
}
