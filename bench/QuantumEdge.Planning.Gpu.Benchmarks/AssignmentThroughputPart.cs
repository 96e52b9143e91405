using ILGPU;
using ILGPU.Runtime;
using QuantumEdge.Benchmarks.Measurement;
using QuantumEdge.Planning.Assignment;
using QuantumEdge.Planning.Gpu.Kernels;
using QuantumEdge.Planning.Gpu.Solvers;
using static QuantumEdge.Planning.Gpu.Benchmarks.Invariant;

namespace QuantumEdge.Planning.Gpu.Benchmarks;

/// <summary>
/// Assignment anneal throughput: the four launches of one step of <c>DeviceAssignmentSolver</c>
/// (task sums, backend loads, coupling forces, symplectic step — the factorised forces, never an
/// N×N matrix) on routing-like problems, timed over many steps; variable updates/s = steps ×
/// variables × agents / s. Greedy, decoding and the host polish are not in the figure.
/// </summary>
internal static class AssignmentThroughputPart
{
    public static BenchSection Run(BenchContext context)
    {
        var accelerator = context.Accelerator;
        var stream = accelerator.DefaultStream;
        var initialise = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ulong>>(accelerator, IsingKernels.Initialise);
        var taskSums = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>>(accelerator, AssignmentKernels.TaskSums);
        var backendLoads = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int>>(accelerator, AssignmentKernels.BackendLoads);
        var couplingForces = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int>>(accelerator, AssignmentKernels.CouplingForces);
        var step = KernelLoader.Load<Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>, AssignmentStepParameters, int>>(accelerator, AssignmentKernels.Step);
        var shapes = context.Quick ? new[] { (64, 8), (256, 16) } : [(1_024, 64), (16_384, 128)];
        var agentCounts = context.Quick ? new[] { 16 } : [64, 256];
        var target = TimeSpan.FromSeconds(context.Quick ? 0.05 : 0.4);
        var table = new TextTable("tasks×backends", "variables", "couplings", "agents", "steps", "ms/step", "variable updates/s");
        var notes = new List<string>();
        foreach (var (tasks, backends) in shapes)
        {
            if (context.OutOfTime)
            {
                notes.Add(context.OutOfTimeNote);
                break;
            }

            var problem = BenchInstances.Routing(2026, tasks, backends);
            var qubo = new AssignmentQubo(problem, new PlannerSettings().PenaltyMultiplier);
            var (c0, dt) = qubo.Parameters(new PlannerSettings().TimeStepFactor);
            foreach (var agents in agentCounts)
            {
                if (context.OutOfTime)
                {
                    notes.Add(context.OutOfTimeNote);
                    break;
                }

                if (DeviceAssignmentSolver.RequiredBytes(problem, agents) > accelerator.MemorySize * 0.8 || (long)problem.VariableCount * agents > int.MaxValue)
                {
                    notes.Add($"{tasks}×{backends}, agents = {agents}: does not fit");
                    continue;
                }

                using var d = new DeviceProblem(accelerator, problem, qubo, agents);
                initialise(stream, (int)d.X.Length, d.X.View, d.Y.View, 11UL);
                d.Y.MemSetToZero();
                var variables = new Index1D(checked(agents * problem.VariableCount));
                var taskGrid = new Index1D(checked(agents * problem.TaskCount));
                var backendGrid = new Index1D(checked(agents * problem.BackendCount));
                var size = (int)d.X.Length;
                // Mid-ramp, as in DeviceAssignmentSolver.Run.
                var parameters = new AssignmentStepParameters(StepParameters.For(0.5f, (float)c0, 1f, (float)dt), 2 * (float)qubo.Penalty);
                var (steps, seconds) = KernelClock.Time(accelerator, () =>
                {
                    taskSums(stream, taskGrid, d.X.View, d.TaskStart.View, d.TaskSums.View, agents);
                    backendLoads(stream, backendGrid, d.X.View, d.BackendStart.View, d.BackendVariables.View, d.Phi.View, d.BackendLoads.View, agents);
                    if (d.HasCouplings)
                    {
                        couplingForces(stream, variables, d.X.View, d.CoupledStart.View, d.CoupledVariable.View, d.CoupledWeight.View, d.CouplingForces.View, agents);
                    }

                    step(stream, size, d.X.View, d.Y.View, d.CouplingForces.View, d.TaskSums.View, d.BackendLoads.View, d.Constant.View, d.Slope.View, d.Self.View, d.VariableTask.View, d.VariableBackend.View, parameters, agents);
                }, target);
                var rate = steps * (double)size / seconds;
                table.Add($"{tasks}×{backends}", Format(problem.VariableCount), Format(qubo.CoupledVariable.Length), Format(agents), Format(steps), Format(seconds * 1e3 / steps, "F3"), Rate(rate));
                context.Log($"assignment {tasks}x{backends} agents={agents}: {Rate(rate)} variable updates/s ({steps} steps in {Format(seconds, "F2")} s)");
            }
        }

        return new BenchSection("Assignment throughput",
            "Factorised assignment forces (one-hot and load terms through per-task sums and per-backend loads, couplings through a CSR), fp32; "
            + "one step = task sums + backend loads + coupling forces + symplectic step. Variable updates/s = steps × variables × agents / seconds.\n\n"
            + $"```\n{table}```\n" + (notes.Count == 0 ? "" : "\n" + string.Join("\n", notes.Distinct()) + "\n"));
    }
}
