using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using QuantumEdge.Planning.Gpu.Kernels;
using QuantumEdge.Planning.Solvers;

namespace QuantumEdge.Planning.Gpu.Tests.Kernels;

/// <summary>Each device kernel against the CPU solver's SIMD kernel on the same input (fp32 both).</summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class IsingKernelsTests(CpuAccelerator cpu)
{
    private const float Tolerance = 1e-4f;

    private readonly Accelerator _accelerator = cpu.Accelerator;

    [Fact]
    public void Sparse_and_dense_forces_match_the_cpu_product()
    {
        var (model, _) = Instances.MaxCut(seed: 3, n: 23, density: 0.4);
        var agents = Vector<float>.Count * 2;
        var source = RandomState(model.Size * agents, 5);
        var values = model.Couplings.ToArray().Select(v => (float)v).ToArray();
        var expected = new float[source.Length];
        AgentKernels.Multiply(model.RowStart.ToArray(), model.Columns.ToArray(), values, source, expected, agents / Vector<float>.Count);

        var sparse = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int>(IsingKernels.SparseForces);
        var dense = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(IsingKernels.DenseForces);
        using var rowStart = _accelerator.Allocate1D(model.RowStart.ToArray());
        using var columns = _accelerator.Allocate1D(model.Columns.ToArray());
        using var sparseValues = _accelerator.Allocate1D(values);
        using var denseValues = _accelerator.Allocate1D(Dense(model));
        using var input = _accelerator.Allocate1D(source);
        using var viaSparse = _accelerator.Allocate1D<float>(source.Length);
        using var viaDense = _accelerator.Allocate1D<float>(source.Length);
        sparse(new Index1D(checked(agents * model.Size)), rowStart.View, columns.View, sparseValues.View, input.View, viaSparse.View, agents);
        dense(new Index1D(checked(agents * model.Size)), denseValues.View, input.View, viaDense.View, model.Size, agents);

        AssertClose(expected, viaSparse.GetAsArray1D());
        AssertClose(expected, viaDense.GetAsArray1D());
    }

    [Fact]
    public void The_step_matches_the_cpu_step_walls_included()
    {
        const int n = 17;
        var agents = Vector<float>.Count * 2;
        var x = RandomState(n * agents, 1, scale: 1.2f);
        var y = RandomState(n * agents, 2);
        var forces = RandomState(n * agents, 3, scale: 4f);
        var field = RandomState(n, 4);
        var (xCpu, yCpu, signsCpu) = (x.ToArray(), y.ToArray(), new float[x.Length]);
        AgentKernels.Step(xCpu, yCpu, forces, field, agents / Vector<float>.Count, 0.4f, 0.3f, 1f, 0.6f, signsCpu);

        var step = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, StepParameters, int>(IsingKernels.Step);
        using var xs = _accelerator.Allocate1D(x);
        using var ys = _accelerator.Allocate1D(y);
        using var fs = _accelerator.Allocate1D(forces);
        using var hs = _accelerator.Allocate1D(field);
        using var ss = _accelerator.Allocate1D<float>(x.Length);
        step(x.Length, xs.View, ys.View, fs.View, hs.View, ss.View, StepParameters.For(0.4f, 0.3f, 1f, 0.6f), agents);

        AssertClose(xCpu, xs.GetAsArray1D());
        AssertClose(yCpu, ys.GetAsArray1D());
        Assert.Equal(signsCpu, ss.GetAsArray1D());
        Assert.Contains(xCpu, v => MathF.Abs(v) == 1f);
    }

    [Fact]
    public void Energies_match_the_cpu_energies_and_the_exact_model_energy()
    {
        var (model, _) = Instances.MaxCut(seed: 8, n: 19);
        var agents = Vector<float>.Count;
        var signs = RandomState(model.Size * agents, 9).Select(v => v < 0 ? -1f : 1f).ToArray();
        var values = model.Couplings.ToArray().Select(v => (float)v).ToArray();
        var forces = new float[signs.Length];
        AgentKernels.Multiply(model.RowStart.ToArray(), model.Columns.ToArray(), values, signs, forces, 1);
        var field = new float[model.Size];
        var expected = new float[agents];
        AgentKernels.Energies(signs, forces, null, 1, (float)model.Offset, expected);

        var energies = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, ArrayView<float>>(IsingKernels.Energies);
        using var ss = _accelerator.Allocate1D(signs);
        using var fs = _accelerator.Allocate1D(forces);
        using var hs = _accelerator.Allocate1D(field);
        using var es = _accelerator.Allocate1D<float>(agents);
        energies(agents, ss.View, fs.View, hs.View, model.Size, agents, (float)model.Offset, es.View);

        var device = es.GetAsArray1D();
        AssertClose(expected, device);
        for (var a = 0; a < agents; a++)
        {
            var spins = Enumerable.Range(0, model.Size).Select(i => (sbyte)signs[(i * agents) + a]).ToArray();
            Assert.Equal(model.Energy(spins), device[a], 3);
        }
    }

    [Fact]
    public void Initial_positions_are_small_reproducible_and_differ_between_seeds()
    {
        var initialise = _accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ulong>(IsingKernels.Initialise);
        using var x = _accelerator.Allocate1D<float>(512);
        using var y = _accelerator.Allocate1D<float>(512);
        initialise(512, x.View, y.View, 42UL);
        var first = x.GetAsArray1D();
        initialise(512, x.View, y.View, 42UL);
        var again = x.GetAsArray1D();
        initialise(512, x.View, y.View, 43UL);
        var other = x.GetAsArray1D();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
        Assert.All(first, v => Assert.InRange(v, -0.1f, 0.1f));
        Assert.InRange(first.Average(), -0.02, 0.02);
        Assert.True(first.Count(v => v < 0) is > 200 and < 312, "positions are not balanced around zero");
    }

    private static float[] RandomState(int length, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)((rng.NextDouble() * 2) - 1) * scale)];
    }

    private static float[] Dense(QuantumEdge.Planning.Ising.IsingModel model)
    {
        var n = model.Size;
        var dense = new float[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var k = model.RowStart[i]; k < model.RowStart[i + 1]; k++)
            {
                dense[(i * n) + model.Columns[k]] = (float)model.Couplings[k];
            }
        }

        return dense;
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var k = 0; k < expected.Length; k++)
        {
            Assert.True(MathF.Abs(expected[k] - actual[k]) <= Tolerance * Math.Max(1f, MathF.Abs(expected[k])), $"element {k}: expected {expected[k]}, got {actual[k]}");
        }
    }
}
