using ILGPU;
using QuantumEdge.Planning.Gpu.Kernels;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>The bench's own kernel: a dense ±1 coupling matrix made on the device (16,384² floats never cross the bus).</summary>
internal static class BenchKernels
{
    /// <summary>J[i,c] = J[c,i] = ±1 from a hash of the unordered pair, 0 on the diagonal; row-major n×n.</summary>
    public static void FillCouplings(Index1D k, ArrayView<float> couplings, int n, ulong seed)
    {
        var i = k.X / n;
        var c = k.X - (i * n);
        if (i == c)
        {
            couplings[k] = 0f;
            return;
        }

        var low = (ulong)Math.Min(i, c);
        var high = (ulong)Math.Max(i, c);
        couplings[k] = (IsingKernels.Mix(seed, (low * (ulong)n) + high) & 1) == 0 ? -1f : 1f;
    }
}
