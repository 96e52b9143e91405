using ILGPU;
using ILGPU.Runtime;
using QuantumEdge.Planning.Gpu.Devices;

namespace QuantumEdge.Planning.Gpu.Tests;

/// <summary>ILGPU's CPU accelerator, opened once for every test that needs one (kernels compile once).</summary>
public sealed class CpuAccelerator : IDisposable
{
    private readonly Context _context;

    public CpuAccelerator()
    {
        (_context, Accelerator) = AcceleratorChoice.Open("cpu");
    }

    internal Accelerator Accelerator { get; }

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class CpuAcceleratorCollection : ICollectionFixture<CpuAccelerator>
{
    public const string Name = "cpu accelerator";
}
