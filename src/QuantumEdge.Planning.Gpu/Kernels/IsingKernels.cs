using ILGPU;
using ILGPU.Algorithms.Random;

namespace QuantumEdge.Planning.Gpu.Kernels;

/// <summary>
/// ILGPU kernels of simulated bifurcation on an Ising model, fp32. State is agent-minor like the CPU
/// solver's (element i·A + a is spin i of agent a), and so is a one-dimensional launch index over
/// agents × spins: neighbouring threads of a warp read neighbouring addresses (coalesced) while J's
/// element is the same for the whole warp (a broadcast). One dimension, not two: a second grid
/// dimension is at most 65,535 groups on CUDA and ILGPU's CPU accelerator, which a spin count passes.
/// </summary>
internal static class IsingKernels
{
    /// <summary>
    /// Positions and momenta uniform in (−0.1, 0.1). Each element seeds its own xorshift64* from a
    /// hash of (seed, element), so the draw does not depend on how threads are scheduled.
    /// </summary>
    public static void Initialise(Index1D k, ArrayView<float> x, ArrayView<float> y, ulong seed)
    {
        var rng = new XorShift64Star(Mix(seed, (ulong)k.X));
        x[k] = (rng.NextFloat() - 0.5f) * 0.2f;
        y[k] = (rng.NextFloat() - 0.5f) * 0.2f;
    }

    /// <summary>s = sign(x), sign(0) = +1.</summary>
    public static void Sign(Index1D k, ArrayView<float> x, ArrayView<float> signs) => signs[k] = x[k] < 0 ? -1f : 1f;

    /// <summary>destination[i,a] = Σ_k J_ik·source[k,a] with J dense row-major n×n.</summary>
    public static void DenseForces(Index1D index, ArrayView<float> couplings, ArrayView<float> source, ArrayView<float> destination, int size, int agents)
    {
        var i = index.X / agents;
        var a = index.X - (i * agents);
        var row = (long)i * size;
        var sum = 0f;
        for (var k = 0; k < size; k++)
        {
            sum += couplings[row + k] * source[((long)k * agents) + a];
        }

        destination[((long)i * agents) + a] = sum;
    }

    /// <summary>destination[i,a] = Σ_k J_ik·source[k,a] with J in CSR (both directions stored).</summary>
    public static void SparseForces(Index1D index, ArrayView<int> rowStart, ArrayView<int> columns, ArrayView<float> values, ArrayView<float> source, ArrayView<float> destination, int agents)
    {
        var i = index.X / agents;
        var a = index.X - (i * agents);
        var sum = 0f;
        var end = rowStart[i + 1];
        for (var k = rowStart[i]; k < end; k++)
        {
            sum += values[k] * source[((long)columns[k] * agents) + a];
        }

        destination[((long)i * agents) + a] = sum;
    }

    /// <summary>
    /// One symplectic-Euler step with inelastic walls, as <c>AgentKernels.Step</c> on the CPU:
    /// y += kx·x + kf·(f + h); x += ka·y; where |x| &gt; 1: x = sign(x), y = 0. Writes sign(x) too.
    /// </summary>
    public static void Step(Index1D k, ArrayView<float> x, ArrayView<float> y, ArrayView<float> forces, ArrayView<float> field, ArrayView<float> signs, StepParameters p, int agents)
    {
        var i = k.X / agents;
        var xi = x[k];
        var yi = y[k] + (p.Kx * xi) + (p.Kf * (forces[k] + field[i]));
        xi += p.Ka * yi;
        if (xi > 1f || xi < -1f)
        {
            xi = xi < 0 ? -1f : 1f;
            yi = 0f;
        }

        x[k] = xi;
        y[k] = yi;
        signs[k] = xi < 0 ? -1f : 1f;
    }

    /// <summary>E_a = offset − Σ_i s_ia·(½·f_ia + h_i), f = J·s; one thread per agent, rows read coalesced.</summary>
    public static void Energies(Index1D a, ArrayView<float> signs, ArrayView<float> forces, ArrayView<float> field, int size, int agents, float offset, ArrayView<float> energies)
    {
        var sum = 0f;
        for (var i = 0; i < size; i++)
        {
            var at = ((long)i * agents) + a;
            sum += signs[at] * ((0.5f * forces[at]) + field[i]);
        }

        energies[a] = offset - sum;
    }

    /// <summary>One agent's column of a state: destination[i] = state[i·A + agent].</summary>
    public static void Column(Index1D i, ArrayView<float> state, ArrayView<float> destination, int agent, int agents) =>
        destination[i] = state[((long)i.X * agents) + agent];

    /// <summary>SplitMix64's finaliser over (seed, element): well-spread, never-zero xorshift seeds.</summary>
    internal static ulong Mix(ulong seed, ulong element)
    {
        var z = seed + ((element + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return z == 0 ? 0x9E3779B97F4A7C15UL : z;
    }
}
