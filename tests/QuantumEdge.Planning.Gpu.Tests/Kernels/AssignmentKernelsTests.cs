using ILGPU;
using ILGPU.Runtime;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Kernels;

namespace QuantumEdge.Planning.Gpu.Tests.Kernels;

/// <summary>
/// The factorised forces on the device against the QUBO written out term by term: at a binary
/// state the multilinear energy's derivative is E(b_v = 1) − E(b_v = 0), and the force is −½ of it.
/// </summary>
[Collection(CpuAcceleratorCollection.Name)]
public sealed class AssignmentKernelsTests(CpuAccelerator cpu)
{
    [Fact]
    public void Factorised_forces_equal_the_explicit_qubo_gradient()
    {
        var problem = Assignments.Routing(seed: 4, tasks: 9, backends: 4);
        var qubo = new AssignmentQubo(problem, 3.0);
        const int agents = 4;
        var n = problem.VariableCount;
        var rng = new Random(2);
        var binary = new int[n * agents];
        for (var k = 0; k < binary.Length; k++)
        {
            binary[k] = rng.Next(2);
        }

        var accelerator = cpu.Accelerator;
        var taskSums = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(AssignmentKernels.TaskSums);
        var backendLoads = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int>(AssignmentKernels.BackendLoads);
        var couplingForces = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int>(AssignmentKernels.CouplingForces);
        var step = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, AssignmentStepParameters, int>(AssignmentKernels.Step);
        using var device = new QuantumEdge.Planning.Gpu.Solvers.DeviceProblem(accelerator, problem, qubo, agents);
        device.X.View.CopyFromCPU([.. binary.Select(b => (2f * b) - 1f)]);
        device.Y.MemSetToZero();
        taskSums(new Index1D(checked(agents * problem.TaskCount)), device.X.View, device.TaskStart.View, device.TaskSums.View, agents);
        backendLoads(new Index1D(checked(agents * problem.BackendCount)), device.X.View, device.BackendStart.View, device.BackendVariables.View, device.Phi.View, device.BackendLoads.View, agents);
        couplingForces(new Index1D(checked(agents * n)), device.X.View, device.CoupledStart.View, device.CoupledVariable.View, device.CoupledWeight.View, device.CouplingForces.View, agents);

        // No pressure, no drift, unit force step: the new momentum is the force itself.
        step(n * agents, device.X.View, device.Y.View, device.CouplingForces.View, device.TaskSums.View, device.BackendLoads.View, device.Constant.View, device.Slope.View, device.Self.View, device.VariableTask.View, device.VariableBackend.View, new AssignmentStepParameters(new StepParameters(0, 1, 0), 2 * (float)qubo.Penalty), agents);
        var forces = device.Y.GetAsArray1D();

        Assert.Contains(qubo.CoupledWeight.ToArray(), w => w > 0);
        for (var a = 0; a < agents; a++)
        {
            var b = Enumerable.Range(0, n).Select(v => binary[(v * agents) + a]).ToArray();
            for (var v = 0; v < n; v++)
            {
                var on = b.ToArray();
                on[v] = 1;
                var off = b.ToArray();
                off[v] = 0;
                var expected = -0.5 * (Energy(problem, qubo, on) - Energy(problem, qubo, off));
                var actual = forces[(v * agents) + a];
                Assert.True(Math.Abs(expected - actual) <= 1e-3 * Math.Max(1, Math.Abs(expected)), $"agent {a}, variable {v}: expected {expected}, got {actual}");
            }
        }
    }

    [Fact]
    public void Decoding_takes_each_tasks_largest_position()
    {
        var problem = Assignments.Routing(seed: 5, tasks: 6, backends: 3);
        const int agents = 2;
        var n = problem.VariableCount;
        var x = Enumerable.Range(0, n * agents).Select(k => (float)Math.Sin(k * 1.7)).ToArray();
        var decode = cpu.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, int>(AssignmentKernels.Decode);
        using var xs = cpu.Accelerator.Allocate1D(x);
        using var starts = cpu.Accelerator.Allocate1D(problem.TaskStart);
        using var choice = cpu.Accelerator.Allocate1D<int>(problem.TaskCount * agents);
        decode(new Index1D(checked(agents * problem.TaskCount)), xs.View, starts.View, choice.View, agents);
        var decoded = choice.GetAsArray1D();

        for (var t = 0; t < problem.TaskCount; t++)
        {
            for (var a = 0; a < agents; a++)
            {
                var expected = Enumerable.Range(problem.TaskStart[t], problem.TaskStart[t + 1] - problem.TaskStart[t]).MaxBy(v => x[(v * agents) + a]);
                Assert.Equal(expected, decoded[(t * agents) + a]);
            }
        }
    }

    /// <summary>E(b) = Σ c·b + Σ_b λ_b·L_b² − Σ_{pairs} κw·b_v·b_w + A·Σ_t (S_t − 1)², straight from the definition.</summary>
    private static double Energy(AssignmentProblem p, AssignmentQubo qubo, int[] b)
    {
        var energy = 0.0;
        var loads = new double[p.BackendCount];
        var sums = new double[p.TaskCount];
        for (var v = 0; v < p.VariableCount; v++)
        {
            energy += p.VariableCost[v] * b[v];
            loads[p.VariableBackend[v]] += p.VariableLoad[v] * b[v];
            sums[p.VariableTask[v]] += b[v];
        }

        for (var k = 0; k < p.BackendCount; k++)
        {
            energy += p.InterferenceWeights[k] * loads[k] * loads[k];
        }

        for (var t = 0; t < p.TaskCount; t++)
        {
            energy += qubo.Penalty * (sums[t] - 1) * (sums[t] - 1);
        }

        for (var v = 0; v < p.VariableCount; v++)
        {
            for (var k = qubo.CoupledStart[v]; k < qubo.CoupledStart[v + 1]; k++)
            {
                // Each pair is listed from both ends.
                energy -= 0.5 * qubo.CoupledWeight[k] * b[v] * b[qubo.CoupledVariable[k]];
            }
        }

        return energy;
    }
}
